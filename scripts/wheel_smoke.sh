#!/usr/bin/env bash
# Install honestly: build the wheel, install it with NO extras into a fresh venv (as
# `pip install storepixel` would) and run `track` and `analyze` on a short real clip.
# An undeclared dependency (one only the dev extra brought in) fails here.
# Usage: bash scripts/wheel_smoke.sh   (pip's cache makes reruns quick)
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$(pwd)
py=${PYTHON:-python3}
export PIP_DISABLE_PIP_VERSION_CHECK=1
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
quiet() { "$@" 2>&1 | { grep -v '^WARNING: Location' || true; }; return "${PIPESTATUS[0]}"; }

quiet "$py" -m pip wheel -q --no-deps -w "$work/dist" "$repo"
"$py" -m venv "$work/venv"
quiet "$work/venv/bin/python" -m pip install -q "$work"/dist/storepixel-*.whl
cd "$work"  # outside the repository: nothing can come from src/

# 3 s of the sample footage, written by the installed OpenCV.
"$work/venv/bin/python" - "$repo/data/samples/vtest.avi" clip.avi <<'EOF'
import sys

import cv2

src = cv2.VideoCapture(sys.argv[1])
ok, frame = src.read()
out = cv2.VideoWriter(sys.argv[2], cv2.VideoWriter_fourcc(*"MJPG"), 10, frame.shape[1::-1])
for _ in range(30):
    out.write(frame)
    ok, frame = src.read()
    if not ok:
        break
out.release()
EOF
cat > site.yaml <<'EOF'
site: {id: smoke, timezone: Europe/Lisbon}
cameras:
  - id: cam1
    analysis_fps: 5
    lines: [{id: walkway, points: [[0.5, 0.25], [0.5, 0.85]]}]
EOF

sp="$work/venv/bin/storepixel"
"$sp" --version
"$sp" track clip.avi --mot tracks.txt
test -s tracks.txt || { echo "wheel smoke: track wrote no rows" >&2; exit 1; }
"$sp" analyze clip.avi --site site.yaml --db "sqlite:///$work/store.db" --json > summary.json
"$work/venv/bin/python" -c '
import json, sys
summary = json.load(open("summary.json"))
assert summary["camera"] == "cam1" and summary["frames"] > 0, summary
print("wheel smoke: ok,", summary["frames"], "frames analysed by the installed wheel")
'
