#!/usr/bin/env bash
# Checks Cargo.lock against the RustSec advisory database with cargo-deny, offline: the
# database is the snapshot in shared/ beside the repository (read-only in CI), never fetched.
# Accepted advisories are listed, each with its reason, in deny.toml.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
db=${SAMTALE_ADVISORY_DB:-$root/../shared/advisory-db}
if [ ! -d "$db/crates" ]; then
  echo "No RustSec advisory database at $db (set SAMTALE_ADVISORY_DB to one)." >&2
  exit 1
fi
head -1 "$db/SNAPSHOT.txt" 2>/dev/null || true

# cargo-deny reads a database from a git checkout under its db-path, in a directory named
# after its url (deny.toml's db-urls; 0.20 hashes the url into the name). The snapshot is no
# git repository and may be read-only: a copy is made one, in a temporary directory.
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
copy="$tmp/advisory-db-3157b0e258782691"
cp -r "$db" "$copy"
chmod -R u+w "$copy"
git -C "$copy" init -q
git -C "$copy" add -A
git -C "$copy" -c user.name=samtale -c user.email=samtale@localhost \
  commit -q -m "RustSec advisory database snapshot"

cd "$root"
# cargo-deny's --offline keeps it from fetching the database, and makes its `cargo metadata`
# offline too: the crates of every platform (Windows, macOS) must be in the local registry
# cache first, so the whole graph the app ships is checked, not only Linux's.
cargo fetch --locked --quiet
SAMTALE_ADVISORY_DBS="$tmp" cargo deny --offline --locked check advisories
