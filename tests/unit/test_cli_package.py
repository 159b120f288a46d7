"""The CLI package registers every command family it holds."""

from __future__ import annotations

import importlib
import pkgutil

import storepixel.cli as cli


def test_every_module_with_register_is_a_listed_family() -> None:
    modules = {m.name for m in pkgutil.iter_modules(cli.__path__) if not m.name.startswith("_")}
    with_register = {
        name
        for name in modules
        if hasattr(importlib.import_module(f"storepixel.cli.{name}"), "register")
    }
    assert with_register == set(cli.FAMILIES)


def test_the_families_commands_are_on_the_app() -> None:
    import typer.main

    group = typer.main.get_group(cli.app)
    assert {
        "track",
        "analyze",
        "events",
        "run",
        "doctor",
        "serve",
        "users",
        "keys",
        "bench",
    } <= set(group.commands)
