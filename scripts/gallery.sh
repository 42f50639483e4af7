#!/usr/bin/env bash
# Every main screen and dialog of the release app, at the usual window size and at the smallest
# the app is made for, into docs/screens/: look at them before landing a UI change.
set -euo pipefail
cd "$(dirname "$0")/.."
# WebKitGTK under Xvfb paints nothing into the X window with its DMA-BUF renderer.
export WEBKIT_DISABLE_DMABUF_RENDERER=1
cargo build --release --locked -p samtale-e2e --bin tour
for size in 1280x800 1024x700; do
	out="docs/screens/$size"
	rm -rf "$out"
	xvfb-run -a -s "-screen 0 ${size}x24" target/release/tour gallery "$out" --size "$size"
	# Screens are reviewed, not printed: 256 colours keep the repository small.
	for png in "$out"/*.png; do /usr/bin/convert "$png" -colors 256 "PNG8:$png"; done
	echo "wrote $out"
done
