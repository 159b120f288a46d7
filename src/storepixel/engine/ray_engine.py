"""Units of batch work on a Ray cluster (``--engine ray``; the ``storepixel[ray]`` extra).

Each unit is one Ray task with retries: ``max_retries`` covers a worker or node lost mid-task
(Ray re-runs the task on another node) and, with ``retry_exceptions``, a unit that raised. A
re-run is harmless because event ids are content hashes and every store write is idempotent.
Outcomes come back as each task ends (``ray.wait``); one unit's failure never stops the others.

What a unit needs travels inside it: the parsed site config and an absolute store URL are pickled
with the callable (:func:`portable_store_url`), so a worker needs only storepixel installed, not
the driver's files or working folder. Variables named ``STOREPIXEL_*`` travel with the job.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from storepixel.engine import Unit, UnitOutcome
from storepixel.errors import ConfigError

NAMESPACE = "storepixel"  # named actors (describe limits, cameras) live here


def import_ray() -> Any:
    """The ``ray`` module, or a one-line ``ConfigError`` saying how to get it."""
    try:
        import ray
    except ImportError:
        raise ConfigError(
            "--engine ray needs Ray: pip install 'storepixel[ray]' (or use --engine local)"
        ) from None
    return ray


def portable_store_url(url: str | None) -> str:
    """``url`` as every node can use it: ``$STOREPIXEL_DB_URL`` or the default filled in, and a
    relative SQLite path made absolute (workers do not share the driver's working folder)."""
    from storepixel.store.database import ENV_URL
    from storepixel.store.engine import DEFAULT_URL

    raw = url or os.environ.get(ENV_URL) or DEFAULT_URL
    prefix = "sqlite:///"
    if raw.startswith(prefix) and not raw.startswith(prefix + "/") and raw != "sqlite://":
        path, _, query = raw[len(prefix) :].partition("?")
        raw = prefix + str(Path(path).resolve()) + (f"?{query}" if query else "")
    return raw


def _job_env() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if k.startswith("STOREPIXEL_")}


@contextmanager
def connected(address: str | None) -> Iterator[Any]:
    """Ray, connected to ``address`` (``auto``, ``ray://…``, ``HOST:PORT``) or, when ``None``, a
    local cluster started here; a connection made here is closed on exit, one already open is
    reused and left open (tests, the caller's own session)."""
    ray = import_ray()
    if ray.is_initialized():
        yield ray
        return
    try:
        ray.init(
            address=address,
            namespace=NAMESPACE,
            runtime_env={"env_vars": _job_env()},
            include_dashboard=False,
            logging_level="WARNING",
            log_to_driver=False,
        )
    except (ConnectionError, RuntimeError, ValueError) as err:
        where = address or "a local cluster"
        raise ConfigError(f"cannot connect to Ray at {where}: {str(err).splitlines()[0]}") from None
    try:
        yield ray
    finally:
        ray.shutdown()


def _run(unit: Unit) -> UnitOutcome:
    """The task body: the unit's own outcome; an exception propagates so Ray retries it."""
    return unit.run()


def _failure(err: BaseException) -> str:
    cause = getattr(err, "cause", None) or err  # RayTaskError wraps the unit's exception
    text = str(cause).strip().splitlines()
    if type(cause).__name__ in ("WorkerCrashedError", "NodeDiedError", "TaskUnschedulableError"):
        return f"{type(cause).__name__}: the worker was lost on every try"
    return f"{type(cause).__name__}: {text[0] if text else ''}".rstrip(": ")


def run_units_on_ray(
    units: Sequence[Unit], *, address: str | None = None, retries: int = 2
) -> Iterator[UnitOutcome]:
    """Run every unit as a Ray task (one CPU each), yielding outcomes as they finish."""
    with connected(address) as ray:
        task = ray.remote(_run).options(
            num_cpus=1, max_retries=retries, retry_exceptions=True, name="storepixel-unit"
        )
        pending = {task.remote(unit): unit for unit in units}
        while pending:
            done, _ = ray.wait(list(pending), num_returns=1)
            for ref in done:
                unit = pending.pop(ref)
                try:
                    yield ray.get(ref)
                except Exception as err:  # every try failed: recorded, the others go on
                    yield UnitOutcome(unit.key, False, _failure(err), {}, retries + 1)
