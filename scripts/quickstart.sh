#!/usr/bin/env bash
# Set up storepixel and run the main job on real sample footage with the embedded defaults.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/bootstrap.sh
mkdir -p out
.venv/bin/storepixel analyze data/samples/vtest.avi --site examples/sites/vtest.yaml --camera cam1 \
  --start 2026-01-05T10:00:00+00:00 --db sqlite:///data/demo.db --report out/report.html --json
echo "report: out/report.html   events: storepixel events export --db sqlite:///data/demo.db" >&2
