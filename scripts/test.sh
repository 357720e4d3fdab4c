#!/usr/bin/env bash
# The test command: sets up everything on a fresh machine, then builds, lints and tests.
set -euo pipefail
repo_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
. "$repo_root/scripts/bootstrap.sh"
. "$repo_root/scripts/ensure-redis.sh"
. "$repo_root/scripts/ensure-postgres.sh"
. "$repo_root/scripts/ensure-n8n.sh"
cd "$repo_root"
pnpm codegen:check
pnpm build
# bench/ and scripts/ run as TypeScript directly: type-check them too.
pnpm tsc -p tsconfig.json
pnpm lint
mkdir -p .cache
status=0
pnpm test --reporter=default --reporter=json --outputFile.json=.cache/vitest.json || status=$?
node scripts/test-summary.mjs .cache/vitest.json
exit $status
