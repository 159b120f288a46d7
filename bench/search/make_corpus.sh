#!/usr/bin/env bash
# Analyse the real clips of the search query set into a fresh SQLite store, then dump the rendered
# search documents to bench/search/corpus.jsonl (the file the query set is judged against).
# Usage: bash bench/search/make_corpus.sh [EVAL_DIR]   (default ../shared/eval)
set -euo pipefail
EVAL=${1:-../shared/eval}
DB=${DB:-/tmp/storepixel-search-corpus.db}
rm -f "$DB" "$DB"-*
SITE=bench/search/site.yaml
run() {  # camera file start
  storepixel analyze "$2" --site "$SITE" --camera "$1" --start "$3" --db "sqlite:///$DB" >/dev/null
}
C=$EVAL/caviar
run front "$C/EnterExitCrossingPaths1front.mpg" 2024-05-06T09:12:00+01:00
run corridor "$C/EnterExitCrossingPaths1cor.mpg" 2024-05-06T09:12:00+01:00
run front "$C/EnterExitCrossingPaths2front.mpg" 2024-05-06T13:40:00+01:00
run corridor "$C/EnterExitCrossingPaths2cor.mpg" 2024-05-06T13:40:00+01:00
run front "$C/OneLeaveShopReenter1front.mpg" 2024-05-06T18:25:00+01:00
run corridor "$C/OneLeaveShopReenter1cor.mpg" 2024-05-06T18:25:00+01:00
run corridor "$C/TwoLeaveShop2cor.mpg" 2024-05-07T11:05:00+01:00
run corridor "$C/OneStopNoEnter2cor.mp4" 2024-05-07T19:30:00+01:00
run plaza data/samples/vtest.avi 2024-05-07T15:00:00+01:00
python bench/search/dump_corpus.py "sqlite:///$DB" "$SITE" bench/search/corpus.jsonl
