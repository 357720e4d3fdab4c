#!/usr/bin/env bash
# The shared rate-limit store is tested against a real redis-server (Debian package).
# Installs it when missing; fails loudly when it cannot.
if ! command -v redis-server >/dev/null 2>&1; then
  echo "ensure-redis: installing redis-server (Debian package)" >&2
  if [ "$(id -u)" -eq 0 ]; then sudo_cmd=""; else sudo_cmd="sudo"; fi
  $sudo_cmd apt-get update -qq >&2 && $sudo_cmd apt-get install -y -qq redis-server >&2 || {
    echo "ensure-redis: could not install redis-server; the Redis rate-limit tests need it" >&2
    exit 1
  }
fi
export CRMKIT_REDIS_SERVER="$(command -v redis-server)"
