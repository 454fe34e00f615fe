"""The web playground served at ``/``: static ES modules (``static/``) and the description of its forms."""

from pathlib import Path

#: The page's files, shipped inside the package (``pyproject.toml`` package data); no build step.
STATIC_DIR = Path(__file__).parent / "static"
