#!/usr/bin/env bash
# Re-fetch Swagger UI (the /docs page of the API) from the npm registry into
# src/storepixel/api/docs_assets/ (swagger-ui-dist, Apache-2.0), so /docs loads nothing from a CDN.
# The tarball is checked against the integrity hash recorded here: bash tools/vendor_swagger_ui.sh
set -euo pipefail
cd "$(dirname "$0")/.."
version=5.35.0
integrity="sha512-U06rpMtW9V3XPGOBeamTUSr0Z09jMX4IJuANpE/EZbAhw0G8CgwrzU4YmXkn/h0wCDNsXdGarTNNHC3sU8yVUQ=="
dest=src/storepixel/api/docs_assets
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
(cd "$tmp" && npm pack --silent "swagger-ui-dist@$version" >/dev/null)
tarball="$tmp/swagger-ui-dist-$version.tgz"
got="sha512-$(openssl dgst -sha512 -binary "$tarball" | base64 -w0)"
if [ "$got" != "$integrity" ]; then
  echo "error: swagger-ui-dist-$version.tgz integrity $got does not match $integrity" >&2
  exit 1
fi
tar -xzf "$tarball" -C "$tmp"
mkdir -p "$dest"
cp "$tmp/package/swagger-ui-bundle.js" "$tmp/package/swagger-ui.css" "$tmp/package/LICENSE" \
  "$tmp/package/NOTICE" "$dest/"
echo "swagger-ui-dist $version in $dest/"
