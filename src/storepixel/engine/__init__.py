"""Where units of work run: here (``local``, the default) or on a Ray cluster (``ray``, the
``storepixel[ray]`` extra).

A unit is one self-contained piece of a batch job (one file, one DVR window): a key that names it
the same way every time, and a picklable zero-argument callable that does the work and writes its
results to the store itself. Units are safe to run twice: event ids are content hashes and store
writes are idempotent, so a unit re-run after a lost worker changes nothing. That is what lets an
engine retry freely.

>>> from functools import partial
>>> outcomes = list(run_units([Unit("a", partial(UnitOutcome, "a", True, "3 events"))]))
>>> [(o.key, o.ok, o.detail) for o in outcomes]
[('a', True, '3 events')]
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field

ENGINES = ("local", "ray")


@dataclass(frozen=True, slots=True)
class UnitOutcome:
    """What one unit did: ``detail`` is one line (what it recorded, or why it failed)."""

    key: str
    ok: bool
    detail: str
    counts: dict[str, int] = field(default_factory=dict)
    attempts: int = 1


@dataclass(frozen=True, slots=True)
class Unit:
    """One piece of work; ``run`` is picklable (a module-level function, or a partial of one)."""

    key: str
    run: Callable[[], UnitOutcome]


def run_units(
    units: Sequence[Unit],
    *,
    engine: str = "local",
    address: str | None = None,
    retries: int = 2,
) -> Iterator[UnitOutcome]:
    """Run every unit, yielding each outcome as it finishes (order is not guaranteed on Ray).

    A unit that raises is retried up to ``retries`` times, then reported as failed with the
    exception's message; the other units carry on either way.
    """
    if engine not in ENGINES:
        raise ValueError(f"unknown engine {engine!r} (choose {' or '.join(ENGINES)})")
    if engine == "ray":
        from storepixel.engine.ray_engine import run_units_on_ray

        yield from run_units_on_ray(units, address=address, retries=retries)
        return
    for unit in units:
        yield run_with_retries(unit, retries)


def run_with_retries(unit: Unit, retries: int) -> UnitOutcome:
    """Run one unit here, retrying on an exception; the last failure becomes a failed outcome."""
    error = ""
    for attempt in range(1, retries + 2):
        try:
            outcome = unit.run()
        except Exception as exc:  # a unit's failure is recorded, never fatal to the job
            error = f"{type(exc).__name__}: {exc}".splitlines()[0]
            continue
        return UnitOutcome(outcome.key, outcome.ok, outcome.detail, outcome.counts, attempt)
    return UnitOutcome(unit.key, False, error, {}, retries + 1)
