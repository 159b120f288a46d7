#!/usr/bin/env bash
# Re-fetch the dashboard's chart library from the npm registry into src/storepixel/web/static/vendor/
# (uPlot, MIT). The tarball's integrity is checked against the hash recorded here, so the vendored
# files are byte-for-byte what npm serves for this version: bash tools/vendor_uplot.sh
set -euo pipefail
cd "$(dirname "$0")/.."
version=1.6.32
integrity="sha512-KIMVnG68zvu5XXUbC4LQEPnhwOxBuLyW1AHtpm6IKTXImkbLgkMy+jabjLgSLMasNuGGzQm/ep3tOkyTxpiQIw=="
dest=src/storepixel/web/static/vendor/uplot
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
(cd "$tmp" && npm pack --silent "uplot@$version" >/dev/null)
tarball="$tmp/uplot-$version.tgz"
got="sha512-$(openssl dgst -sha512 -binary "$tarball" | base64 -w0)"
if [ "$got" != "$integrity" ]; then
  echo "error: uplot-$version.tgz integrity $got does not match the recorded $integrity" >&2
  exit 1
fi
tar -xzf "$tarball" -C "$tmp"
mkdir -p "$dest"
cp "$tmp/package/dist/uPlot.iife.min.js" "$tmp/package/dist/uPlot.min.css" "$tmp/package/LICENSE" \
  "$dest/"
echo "uPlot $version in $dest/"
