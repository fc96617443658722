#!/usr/bin/env bash
# Installs PostgreSQL from Debian's packages when it is missing and starts a throwaway server for the tests:
# a fresh cluster in a temporary folder, on 127.0.0.1:$PGPORT, trust authentication, a role `phyr` that may
# create databases. Prints the connection string for PHYR_TEST_POSTGRES. Usage: eval "$(.ci/postgres.sh)"
set -euo pipefail
PGPORT=${PGPORT:-55432}
if ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
  echo "ci: installing postgresql" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >&2
  apt-get install -y -qq postgresql >&2
fi
bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
dir=$(mktemp -d /tmp/phyr-pg.XXXXXX)
chown postgres:postgres "$dir"
run() { if [ "$(id -u)" = 0 ]; then su postgres -s /bin/sh -c "$*"; else sh -c "$*"; fi; }
run "$bin/initdb -D $dir/data -A trust -U postgres" >/dev/null
run "$bin/pg_ctl -D $dir/data -o '-p $PGPORT -k $dir -c listen_addresses=127.0.0.1' -l $dir/log -w start" >/dev/null
"$bin/psql" -h 127.0.0.1 -p "$PGPORT" -U postgres -qc "CREATE ROLE phyr LOGIN CREATEDB" >/dev/null
echo "export PHYR_TEST_POSTGRES='Host=127.0.0.1;Port=$PGPORT;Username=phyr;Database=postgres'"
echo "export PHYR_TEST_POSTGRES_DIR='$dir'"
