#!/usr/bin/env bash
# Refresh the vendored Oxigraph web build (graph_builder/assets/oxigraph/) from the npm package `oxigraph`.
# Usage: bash scripts/refresh-oxigraph.sh [VERSION]   (then update the version and checksums in assets/README.md)
set -euo pipefail
version="${1:-0.5.11}"
here="$(cd "$(dirname "$0")/.." && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
(cd "$work" && npm pack "oxigraph@$version" >/dev/null && tar xzf "oxigraph-$version.tgz")
for f in web.js web_bg.wasm package.json; do cp "$work/package/$f" "$here/graph_builder/assets/oxigraph/$f"; done
(cd "$here/graph_builder/assets/oxigraph" && sha256sum web.js web_bg.wasm)
