#!/usr/bin/env bash
# The run command: sets up everything on a fresh machine, builds, and runs the main job
# against the embedded sandbox (no account needed): the core and providers in a short
# program, then the crmkit CLI.
set -euo pipefail
repo_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
. "$repo_root/scripts/bootstrap.sh"
cd "$repo_root"
pnpm build >&2
node scripts/demo.ts "$@"

crmkit() { node apps/cli/dist/crmkit.mjs "$@"; }
show() { printf '\n$ crmkit %s\n' "$*"; }
show --sandbox ghl contacts search --query smith --limit 5 --format table
crmkit --sandbox ghl contacts search --query smith --limit 5 --format table | cut -c1-150
show --sandbox keap contacts list --filter "given_name==J*" --all --progress --format csv "| head -4"
crmkit --sandbox keap contacts list --filter "given_name==J*" --all --progress --format csv | head -4 | cut -c1-150
show --sandbox keap tags apply --tag 100 --contact 1,2,3 --format json
crmkit --sandbox keap tags apply --tag 100 --contact 1,2,3 --format json
show --sandbox keap tags apply --tag 100 --contact 1,x2
crmkit --sandbox keap tags apply --tag 100 --contact 1,x2 || echo "(exit code $?: refused before sending)"
show keap operations --search tag
crmkit keap operations --search tag --format table | cut -c1-150
show --sandbox ghl call get-contacts --all --page-size 100 --format csv '| head -4'
crmkit --sandbox ghl call get-contacts --all --page-size 100 --format csv | head -4 | cut -c1-150
show --sandbox keap call getContact --param contact_id=12 --format json
crmkit --sandbox keap call getContact --param contact_id=12 --format json | head -20
show --sandbox keap call listContacts --param page_size=lots
crmkit --sandbox keap call listContacts --param page_size=lots || echo "(exit code $?: refused before sending)"
show --sandbox --dry-run ghl contacts create --first-name Ada --email ada@example.org
crmkit --sandbox --dry-run ghl contacts create --first-name Ada --email ada@example.org
# AI agents: what a policy grants each agent (crmkit mcp serves exactly that).
show policy check apps/mcp/examples/policy.yaml '| head -12'
crmkit policy check apps/mcp/examples/policy.yaml | head -12 | cut -c1-150
# Keap -> HighLevel: what a migration would do, then doing it, with the state in a temporary file.
state_dir=$(mktemp -d)
show --sandbox migrate plan --from keap --to ghl --state "$state_dir/state.db" '| head -20'
crmkit --sandbox migrate plan --from keap --to ghl --state "$state_dir/state.db" --mapping "$state_dir/mapping.yaml" | head -20
show --sandbox migrate run --from keap --to ghl --state "$state_dir/state.db" --mapping "$state_dir/mapping.yaml" '| tail -12'
crmkit --sandbox migrate run --from keap --to ghl --state "$state_dir/state.db" --mapping "$state_dir/mapping.yaml" | tail -12
rm -rf "$state_dir"
