#!/usr/bin/env bash
# Installs what Samtale needs to build (and, with --test, to run its tests) when it is missing.
# Debian/Ubuntu: apt packages (with sudo when not root), Node.js if absent, tauri-driver for
# tests. Elsewhere: prints the Tauri prerequisites, since those platforms install them by hand.
set -euo pipefail

want_test=false
[ "${1:-}" = "--test" ] && want_test=true

build_pkgs=(libwebkit2gtk-4.1-dev build-essential pkg-config libxdo-dev libssl-dev libdbus-1-dev
            libayatana-appindicator3-dev librsvg2-dev)
# poppler-utils: PDF text in export tests; libreoffice-calc-nogui: a second reader of the XLSX
# exports (the test skips without it); strace: the test that the app opens no network connection;
# dbus-daemon, gnome-keyring, libsecret-tools: a real Secret Service for the keychain's test.
test_pkgs=(xvfb xauth webkit2gtk-driver xdotool poppler-utils libreoffice-calc-nogui strace
           dbus-daemon gnome-keyring libsecret-tools)

case "$(uname -s)" in
  Darwin)
    echo "macOS: install Xcode's command line tools (xcode-select --install), Rust (rustup.rs)"
    echo "and Node.js 20+, as https://v2.tauri.app/start/prerequisites/ describes; then run again."
    exit 0 ;;
  MINGW*|MSYS*|CYGWIN*)
    echo "Windows: install the Microsoft C++ Build Tools, WebView2, Rust (rustup.rs) and"
    echo "Node.js 20+, as https://v2.tauri.app/start/prerequisites/ describes; then run again."
    exit 0 ;;
esac

if ! command -v apt-get >/dev/null; then
  echo "Not a Debian/Ubuntu system: install the packages Tauri 2 needs for your distribution"
  echo "(https://v2.tauri.app/start/prerequisites/#linux), Rust and Node.js 20+."
  exit 0
fi

sudo=""
[ "$(id -u)" -ne 0 ] && sudo="sudo"

pkgs=("${build_pkgs[@]}")
$want_test && pkgs+=("${test_pkgs[@]}")
command -v node >/dev/null || pkgs+=(nodejs npm)

missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "Installing: ${missing[*]}"
  $sudo apt-get update -qq
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

if ! command -v cargo >/dev/null; then
  echo "Rust is missing: install it with rustup (https://rustup.rs), then run again." >&2
  exit 1
fi
node_major=$(node -p 'process.versions.node.split(".")[0]')
if [ "$node_major" -lt 20 ]; then
  echo "Node.js $node_major is too old for the UI build: install Node.js 20 or newer." >&2
  exit 1
fi

if $want_test && ! command -v tauri-driver >/dev/null && [ ! -x "$HOME/.cargo/bin/tauri-driver" ]; then
  echo "Installing tauri-driver 2.1.0"
  cargo install --locked tauri-driver@2.1.0
fi
# Pinned: scripts/advisories.sh lays the offline database out where this version looks.
if $want_test && [ "$(cargo deny --version 2>/dev/null)" != "cargo-deny 0.20.2" ]; then
  echo "Installing cargo-deny 0.20.2"
  cargo install --locked cargo-deny@0.20.2
fi
