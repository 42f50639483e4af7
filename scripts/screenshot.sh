#!/usr/bin/env bash
# The README's picture: the real release window under Xvfb, captured with ImageMagick.
set -euo pipefail
export WEBKIT_DISABLE_DMABUF_RENDERER=1
cd "$(dirname "$0")/.."
out="${1:-docs/screenshot.png}"
cargo build --release --locked -p samtale-e2e --bin tour
# WebKitGTK under Xvfb paints nothing into the X window with its DMA-BUF renderer.
WEBKIT_DISABLE_DMABUF_RENDERER=1 xvfb-run -a -s "-screen 0 1200x800x24" target/release/tour screenshot "$out"
echo "wrote $out"
