#!/usr/bin/env bash
# Launch time and memory of the release app under Xvfb, on an empty and on a `largest` store.
# Prints one line per store; docs/PERFORMANCE.md records them.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --locked -p samtale --bin samtale
cargo build --release --locked -p samtale-e2e --bin tour
export WEBKIT_DISABLE_DMABUF_RENDERER=1  # as scripts/screenshot.sh: so Xvfb gets real paints
for run in 1 2 3; do
  xvfb-run -a -s "-screen 0 1280x900x24" target/release/tour measure
done
for run in 1 2 3; do
  xvfb-run -a -s "-screen 0 1280x900x24" target/release/tour measure --largest target/release/samtale
done
