#!/usr/bin/env bash
# The n8n end-to-end tests run a real n8n. Installs it once into .cache/n8n-<version>
# (git-ignored, reused while the version is unchanged) and fails loudly when it cannot.
# Source it from scripts/test.sh so CRMKIT_N8N_BIN reaches the tests.
# See shared/reference/n8n-offline.md: --ignore-scripts (a Kafka client's install script needs the
# internet), then sqlite3's native binary is built with the machine's own Node 20 toolchain.
n8n_version=2.41.1
n8n_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/.cache/n8n-$n8n_version"
n8n_ready="$n8n_root/.ready"
if [ ! -f "$n8n_ready" ]; then
  echo "ensure-n8n: installing n8n@$n8n_version into $n8n_root (about 5 minutes)" >&2
  rm -rf "$n8n_root" && mkdir -p "$n8n_root" && echo '{"private":true}' >"$n8n_root/package.json"
  system_node_dir=$(dirname "$(PATH=/usr/local/bin:/usr/bin:/bin command -v node)")
  (
    cd "$n8n_root" &&
      npm install "n8n@$n8n_version" --ignore-scripts --no-audit --no-fund --loglevel=error >&2 &&
      cd node_modules/sqlite3 &&
      PATH="$system_node_dir:$PATH" npx --yes node-gyp rebuild >&2
  ) || {
    echo "ensure-n8n: could not install n8n@$n8n_version; the n8n end-to-end tests need it" >&2
    exit 1
  }
  touch "$n8n_ready"
fi
export CRMKIT_N8N_BIN="$n8n_root/node_modules/n8n/bin/n8n"
