#!/bin/sh
# Plaza line counts and zone visits against the box truth (bench/truth/plaza/vtest, site
# bench/sites/plaza-vtest.yaml): `storepixel analyze --json` on data/samples/vtest.avi with this
# checkout's src, and optionally with another checkout's src (an older release) beside it, scored
# by bench/analytics_accuracy.py; with STAYS=1 also our tracker's zone stays (--run-tracker
# bundled --stays) for each, to see which visits were split, merged or missed.
#
#   bench/plaza_counts.sh [OTHER_SRC OTHER_LABEL]
#   e.g. git worktree add --detach ../old616 616b89d && bench/plaza_counts.sh ../old616/src 616b89d
#
# Run from the checkout's root. Outputs in ${OUT:-out/plaza_counts}.
set -eu
OUT=${OUT:-out/plaza_counts}
SITE=bench/sites/plaza-vtest.yaml
SEQ=bench/truth/plaza/vtest
mkdir -p "$OUT"
DBS=$(cd "$OUT" && pwd)  # the events store wants an absolute path
run() {  # label src
  rm -f "$DBS/$1.db"
  PYTHONPATH="$2" .venv/bin/storepixel analyze data/samples/vtest.avi --site "$SITE" \
    --db "sqlite:///$DBS/$1.db" --json > "$OUT/analyze-$1.json"
}
run this src
cols="--analyze this=$OUT/analyze-this.json"
if [ $# -ge 2 ]; then
  run "$2" "$1"
  cols="--analyze $2=$OUT/analyze-$2.json $cols"
fi
# shellcheck disable=SC2086  # the column options split on purpose
PYTHONPATH=src .venv/bin/python bench/analytics_accuracy.py "$SEQ" --site "$SITE" $cols
if [ "${STAYS:-0}" = 1 ]; then
  for pair in "this:src" ${2:+"$2:$1"}; do
    echo "## stays, $pair"
    PYTHONPATH="${pair#*:}" .venv/bin/python bench/analytics_accuracy.py "$SEQ" --site "$SITE" \
      --seeds 0 --run-tracker bundled --stays
  done
fi
