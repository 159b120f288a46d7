"""Files the product reads and writes: YAML in, atomic writes out (one helper each).

>>> import tempfile
>>> folder = Path(tempfile.mkdtemp())
>>> with atomic_write(folder / "site.yaml") as f:
...     _ = f.write("site: {id: demo}\\n")
>>> read_yaml(folder / "site.yaml", "site config")
{'site': {'id': 'demo'}}
>>> sorted(p.name for p in folder.iterdir())  # no temp file left behind
['site.yaml']
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any

import yaml

from storepixel.errors import ConfigError


def read_yaml(path: Path, what: str) -> Any:
    """The parsed YAML file at ``path``; a one-line ``ConfigError`` naming ``what`` (e.g. "site
    config") and, for bad YAML, the line and column."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(f"{what} not found: {path}") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"cannot read {what} {path}: {exc}") from None
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = getattr(exc, "problem", None) or "syntax error"
        raise ConfigError(f"{what} {path}: not valid YAML{where}: {problem}") from None


@contextmanager
def atomic_write(path: Path, *, binary: bool = False) -> Iterator[IO[Any]]:
    """A stream onto a temp file beside ``path``, swapped in with ``os.replace`` when the block
    ends without error: a reader or a crash sees the old file or the new one, never half of one.
    An existing file's permissions are kept. Errors (``OSError``) propagate, the temp file gone.
    """
    fd, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    tmp = Path(name)
    try:
        stream: IO[Any] = (
            os.fdopen(fd, "wb") if binary else os.fdopen(fd, "w", encoding="utf-8", newline="")
        )
        with stream:
            yield stream
        os.chmod(tmp, path.stat().st_mode & 0o777 if path.exists() else 0o644)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
