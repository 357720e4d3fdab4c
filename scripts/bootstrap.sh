#!/usr/bin/env bash
# Brings the pinned Node 24 and pnpm into .tooling/ (git-ignored) and installs the
# workspace with them. The machine's own node is never replaced or modified: a fresh
# machine of this project's kind has only Node 20 and npm.
# Source it (`. scripts/bootstrap.sh`) so that PATH carries over to the caller.
set -euo pipefail
repo_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# shellcheck source=../.tooling.versions
. "$repo_root/.tooling.versions"
tooling="$repo_root/.tooling"
bin="$tooling/node_modules/.bin"

have_pinned_tools() {
  [ -x "$bin/node" ] && [ -x "$bin/pnpm" ] &&
    [ "$("$bin/node" --version)" = "v$NODE_VERSION" ] &&
    [ "$("$bin/node" "$bin/pnpm" --version)" = "$PNPM_VERSION" ]
}

if ! have_pinned_tools; then
  command -v npm >/dev/null || { echo "bootstrap: npm is required to fetch Node $NODE_VERSION" >&2; exit 1; }
  echo "bootstrap: installing Node $NODE_VERSION and pnpm $PNPM_VERSION into .tooling/" >&2
  mkdir -p "$tooling"
  npm install --prefix "$tooling" --no-audit --no-fund --loglevel=error \
    "node@$NODE_VERSION" "pnpm@$PNPM_VERSION" >&2
  have_pinned_tools || { echo "bootstrap: Node $NODE_VERSION / pnpm $PNPM_VERSION did not install" >&2; exit 1; }
fi
export PATH="$bin:$PATH"

cd "$repo_root"
pnpm install --frozen-lockfile --reporter=append-only >&2
