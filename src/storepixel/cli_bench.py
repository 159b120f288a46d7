"""The ``bench`` command: decode floor, naive and storepixel pipelines side by side."""

from __future__ import annotations

import typer


def register(app: typer.Typer) -> None:
    """Add this module's commands to the root ``app``."""
