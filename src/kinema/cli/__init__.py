"""The ``kinema`` command (Typer + Rich)."""
