"""The ``storepixel`` command line: thin shells over the modules that do the work.

Each command family lives in its own module of this package and exposes
``register(app: typer.Typer) -> None``, which adds its commands (or a sub-``Typer``) to ``app``.
To add a family: write ``storepixel/cli/<family>.py`` with a ``register`` function and add one
line with its name to ``FAMILIES`` below. Keep imports of heavy libraries inside the command
functions so ``storepixel --help`` stays fast and a plain install runs every command that needs
no optional extra.
"""

from __future__ import annotations

import importlib
from typing import Annotated

import typer

from storepixel.cli.support import configure_logging

app = typer.Typer(
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
    help="storepixel: footfall, dwell, occupancy and queues from the CCTV a store already has.",
)


def _version(value: bool) -> None:
    if value:
        from importlib.metadata import version

        typer.echo(f"storepixel {version('storepixel')}")
        raise typer.Exit()


@app.callback()
def _main(
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Log debugging detail.")] = False,
    _: Annotated[
        bool,
        typer.Option(
            "--version", callback=_version, is_eager=True, help="Print the version and exit."
        ),
    ] = False,
) -> None:
    configure_logging(verbose)


# One line per command family (module of this package), in the order ``--help`` lists them.
FAMILIES = (
    "analyze",  # track, analyze
    "calibrate",  # calibrate
    "events",  # events export
    "live",  # run, doctor
    "web",  # serve, users, keys
    "bench",  # bench
    "shelves",  # shelves import, shelves funnel
    "outward",  # outputs, alerts, retention, privacy, pos
    "search",  # search, summary
    "describe",  # descriptions list, describe usage, cost
    "fleet",  # sync
    "backlog",  # backlog run, backlog status
    "visitors",  # visitors keygen, attributes, rate, delete (opt-in face features)
)

for _family in FAMILIES:
    importlib.import_module(f"{__name__}.{_family}").register(app)
