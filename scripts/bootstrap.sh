#!/usr/bin/env bash
# Create .venv with storepixel and its development tools (idempotent; re-running is cheap).
set -euo pipefail
cd "$(dirname "$0")/.."
sudo_if_needed() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }

py=${PYTHON:-python3}
if ! "$py" -c 'import sys; assert sys.version_info >= (3, 11)' 2>/dev/null; then
  echo "error: storepixel needs Python 3.11 or newer ($py is $("$py" -V 2>&1))" >&2
  exit 1
fi
if ! "$py" -m venv --help >/dev/null 2>&1 || ! "$py" -c 'import ensurepip' 2>/dev/null; then
  sudo_if_needed apt-get update -qq
  sudo_if_needed apt-get install -y -qq python3-venv >/dev/null
fi
stamp=.venv/.storepixel-installed
if [ ! -f "$stamp" ] || [ pyproject.toml -nt "$stamp" ]; then
  [ -x .venv/bin/python ] || "$py" -m venv .venv
  .venv/bin/python -m pip install -q --upgrade pip 2>&1 | grep -v '^WARNING: Location' || true
  .venv/bin/python -m pip install -q -e ".[dev,openvino]" 2>&1 | grep -v '^WARNING: Location' || true
  # trackers/supervision (benchmarks only) pull the GUI opencv-python, which shadows the headless
  # build; put the headless 4.x build back so cv2 is the one storepixel declares.
  if .venv/bin/python -m pip show -q opencv-python >/dev/null 2>&1; then
    .venv/bin/python -m pip uninstall -q -y opencv-python
    .venv/bin/python -m pip install -q --force-reinstall --no-deps "opencv-python-headless>=4.10,<5" \
      2>&1 | grep -v '^WARNING: Location' || true
  fi
  .venv/bin/python -c 'import storepixel, cv2, onnxruntime, av' 
  touch "$stamp"
fi
bash scripts/fetch_samples.sh
