"""The layer drawing in README.md is the one `lint-imports` enforces (pyproject.toml), line for line."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _readme_layers() -> list[str]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    block = re.search(r"^Layout:.*?```\n(.*?)```", text, re.S | re.M)
    assert block, "README.md has no 'Layout:' paragraph followed by a drawing"
    layers = []
    for line in block.group(1).splitlines():
        names = re.match(r"((?:[\w.]+/?(?: \| )?)+)", line)
        assert names, f"cannot read the layer line {line!r}"
        parts = [n.strip().removesuffix("/").removesuffix(".py") for n in names.group(1).split("|")]
        layers.append(" | ".join(parts))
    return layers


def _enforced_layers() -> list[str]:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    contracts = config["tool"]["importlinter"]["contracts"]
    (layered,) = [c for c in contracts if c["type"] == "layers"]
    return [layer for layer in layered["layers"] if layer != "__main__"]


def test_readme_drawing_is_the_enforced_contract() -> None:
    assert _readme_layers() == _enforced_layers()
