#!/usr/bin/env bash
# Run the whole test suite (lint included) exactly as CI does: bash scripts/test.sh [pytest args]
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/bootstrap.sh
bash scripts/system_deps.sh
.venv/bin/ruff check src tests bench tools
.venv/bin/ruff format --check src tests bench tools
.venv/bin/mypy
.venv/bin/deptry src  # every import declared, every dependency used
bash scripts/wheel_smoke.sh  # the wheel, no extras, in a fresh venv: track and analyze
.venv/bin/python -m pytest "$@"
