"""The package declares what it imports (issue 15, defect 1: scipy and starlette were imported
but undeclared, so a plain ``pip install storepixel`` could not run ``track``). The full check,
a wheel installed with no extras running real commands, is ``scripts/wheel_smoke.sh`` (CI)."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_every_import_of_the_product_is_a_declared_dependency() -> None:
    deptry = shutil.which("deptry", path=str(Path(sys.executable).parent))
    assert deptry, "deptry is in the dev extra: pip install -e '.[dev]'"
    result = subprocess.run([deptry, "src"], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
