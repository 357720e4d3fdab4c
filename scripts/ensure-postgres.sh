#!/usr/bin/env bash
# The PostgreSQL migration state is tested against a real, throwaway PostgreSQL server (Debian
# package; the tests run initdb and pg_ctl themselves). Installs it when missing; fails loudly when
# it cannot. Exports CRMKIT_POSTGRES_BIN, the directory of initdb and pg_ctl.
find_postgres_bin() {
  local dir
  for dir in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r); do
    if [ -x "$dir/initdb" ] && [ -x "$dir/pg_ctl" ]; then
      echo "$dir"
      return 0
    fi
  done
  return 1
}
if ! find_postgres_bin >/dev/null; then
  echo "ensure-postgres: installing postgresql (Debian package)" >&2
  if [ "$(id -u)" -eq 0 ]; then sudo_cmd=""; else sudo_cmd="sudo"; fi
  $sudo_cmd apt-get update -qq >&2 && $sudo_cmd apt-get install -y -qq postgresql >&2 || {
    echo "ensure-postgres: could not install postgresql; the PostgreSQL state tests need it" >&2
    exit 1
  }
fi
CRMKIT_POSTGRES_BIN="$(find_postgres_bin)" || {
  echo "ensure-postgres: postgresql is installed but no /usr/lib/postgresql/*/bin has initdb and pg_ctl" >&2
  exit 1
}
export CRMKIT_POSTGRES_BIN
