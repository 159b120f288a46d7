"""What every CLI command shares: one-line errors, progress display, logging set-up."""

from __future__ import annotations

import functools
import logging
import os
import sys
from collections.abc import Callable, Iterable, Iterator
from typing import ParamSpec, TypeVar

import typer
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    ProgressColumn,
    Task,
    TextColumn,
    TimeRemainingColumn,
)
from rich.text import Text

from storepixel.errors import StorepixelError

P = ParamSpec("P")
R = TypeVar("R")

# Messages carry user text (paths like ``clip[cam2].mp4``, polygons ``[[x, y], ...]``): never
# read it as markup or highlight it; styles are given explicitly (rich ``Text``).
# soft_wrap: an error is one line however narrow the terminal (a wrapped path reads as two errors).
err_console = Console(stderr=True, markup=False, highlight=False, soft_wrap=True)


def one_line_errors(func: Callable[P, R]) -> Callable[P, R]:
    """Turn user errors into ``error: …`` on stderr and a non-zero exit, never a traceback.

    ``STOREPIXEL_DEBUG=1`` re-raises, for developers.
    """

    @functools.wraps(func)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return func(*args, **kwargs)
        except StorepixelError as exc:
            if os.environ.get("STOREPIXEL_DEBUG"):
                raise
            _print_error("error:", str(exc))
            raise typer.Exit(exc.exit_code) from None
        except KeyboardInterrupt:
            err_console.print("interrupted")
            raise typer.Exit(130) from None
        except (typer.Exit, typer.Abort):
            raise
        except Exception as exc:  # a bug: still one line for the user, details on request
            if os.environ.get("STOREPIXEL_DEBUG"):
                raise
            first = str(exc).splitlines()[0] if str(exc) else ""
            _print_error(
                "internal error:",
                f"{type(exc).__name__}: {first} (set STOREPIXEL_DEBUG=1 for details)",
            )
            raise typer.Exit(1) from None

    return wrapper


def _print_error(label: str, message: str) -> None:
    """``label message`` on stderr; the message as it is (``[cam2]`` is text, never markup)."""
    err_console.print(Text.assemble((label, "bold red"), " ", message), soft_wrap=True)


def configure_logging(verbose: bool = False) -> None:
    logging.basicConfig(
        level=logging.DEBUG if verbose else logging.WARNING,
        format="%(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )


T = TypeVar("T")


class _FpsColumn(ProgressColumn):
    def render(self, task: Task) -> Text:
        speed = task.finished_speed or task.speed
        return Text("" if speed is None else f"{speed:.1f} fps")


def with_progress(
    items: Iterable[T], total: int | None, label: str, position: Callable[[T], int]
) -> Iterator[T]:
    """A progress bar with frames/s and ETA on a terminal; silent when stderr is not a TTY.

    ``position`` maps an item to how far through ``total`` it is (e.g. a frame's index + 1), so
    sampled frames still move the bar through the whole file.
    """
    if not err_console.is_terminal:
        yield from items
        return
    columns = (
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        _FpsColumn(),
        TimeRemainingColumn(),
    )
    with Progress(*columns, console=err_console) as progress:
        task = progress.add_task(label, total=total)
        for item in items:
            yield item
            progress.update(task, completed=position(item))
