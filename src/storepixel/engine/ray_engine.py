"""Units of batch work on a Ray cluster (``--engine ray``; the ``storepixel[ray]`` extra).

Each unit is one Ray task with retries: ``max_retries`` covers a worker or node lost mid-task
(Ray re-runs the task on another node) and, with ``retry_exceptions``, a unit that raised. A
re-run is harmless because event ids are content hashes and every store write is idempotent.
Outcomes come back as each task ends (``ray.wait``); one unit's failure never stops the others.

What a unit needs travels inside it: the parsed site config and an absolute store URL are pickled
with the callable (:func:`storepixel.store.engine.worker_url`), so a worker needs only storepixel
installed (the same version), not the driver's working folder. Variables named ``STOREPIXEL_*``
travel with the job.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
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


def _job_env() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if k.startswith("STOREPIXEL_")}


def unreachable(address: str, timeout_s: float = 3.0) -> str | None:
    """Why the cluster at ``HOST:PORT`` (or ``ray://HOST:PORT``) cannot be reached, or ``None``:
    Ray itself would keep trying for minutes before it gives up."""
    import socket

    host, _, port = address.removeprefix("ray://").rpartition(":")
    if not host or not port.isdigit():
        return None  # "auto" and the like: Ray finds the cluster itself
    try:
        with socket.create_connection((host, int(port)), timeout=timeout_s):
            return None
    except OSError as err:
        return err.strerror or type(err).__name__


@contextmanager
def connected(address: str | None) -> Iterator[Any]:
    """Ray, connected to ``address`` (``auto``, ``ray://…``, ``HOST:PORT``) or, when ``None``, a
    local cluster started here; a connection made here is closed on exit, one already open is
    reused and left open (tests, the caller's own session)."""
    ray = import_ray()
    if ray.is_initialized():
        yield ray
        return
    if address is not None and (why := unreachable(address)):
        raise ConfigError(f"cannot reach the Ray cluster at {address}: {why}")
    try:
        ray.init(
            address=address or "local",  # None would join any cluster already on this machine
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
