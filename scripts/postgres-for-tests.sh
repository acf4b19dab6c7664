#!/usr/bin/env bash
# Starts a throw-away PostgreSQL on 127.0.0.1 for the test suite and prints the environment line that
# points the tests at it. Stop it with: scripts/postgres-for-tests.sh stop DIR
# PostgreSQL refuses to run as root: root runs it as the postgres user, anyone else as themselves.
set -euo pipefail
pgbin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
as_postgres() { if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
if [ "${1:-}" = "stop" ]; then
  as_postgres "$pgbin/pg_ctl" -D "$2" -m fast stop >/dev/null
  rm -rf "$2"
  exit 0
fi
dir=$(mktemp -d /tmp/mailroom-pg.XXXXXX)
trap 'rm -rf "$dir"' EXIT # until the server is up: a failed or interrupted start leaves nothing behind
[ "$(id -u)" -ne 0 ] || chown postgres "$dir"
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
as_postgres "$pgbin/initdb" -D "$dir" -A trust -U postgres >/dev/null
as_postgres "$pgbin/pg_ctl" -D "$dir" -l "$dir/server.log" -w \
  -o "-c listen_addresses=127.0.0.1 -p $port -k $dir -c fsync=off -c max_connections=300" start >/dev/null
trap - EXIT
echo "MAILROOM_TEST_POSTGRES=Host=127.0.0.1;Port=$port;Username=postgres;Database=postgres;Pooling=true"
echo "MAILROOM_TEST_POSTGRES_DIR=$dir"
