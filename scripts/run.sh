#!/usr/bin/env bash
# The run command: sets up everything on a fresh machine, builds, and runs the main job
# against the embedded sandbox (no account needed).
set -euo pipefail
repo_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
. "$repo_root/scripts/bootstrap.sh"
cd "$repo_root"
pnpm build >&2
node scripts/demo.ts "$@"
