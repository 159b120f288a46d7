#!/usr/bin/env bash
# Fetch real sample footage from Debian's opencv-doc package into data/samples/ (no model hub, no
# video site): vtest.avi is PETS2009 S2.L1 View_001, 768x576, 795 frames at 10 fps.
set -euo pipefail
cd "$(dirname "$0")/.."
dest=data/samples
[ -f "$dest/vtest.avi" ] && exit 0
mkdir -p "$dest"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
sudo_if_needed() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }
(cd "$tmp" && { apt-get download opencv-doc >/dev/null 2>&1 ||
  { sudo_if_needed apt-get update -qq && apt-get download opencv-doc >/dev/null 2>&1; }; }) || {
  echo "error: could not download Debian's opencv-doc package (is apt configured?)" >&2
  exit 1
}
dpkg-deb -x "$tmp"/opencv-doc_*.deb "$tmp/x"
data="$tmp/x/usr/share/doc/opencv-doc/examples/data"
cp "$data/vtest.avi" "$data/messi5.jpg" "$data/basketball1.png" "$dest/"
echo "sample footage in $dest/"
