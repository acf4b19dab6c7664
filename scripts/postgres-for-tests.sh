#!/usr/bin/env bash
# Starts a throw-away PostgreSQL on 127.0.0.1 for the test suite and prints the environment line that
# points the tests at it. Stop it with: scripts/postgres-for-tests.sh stop DIR
set -euo pipefail
pgbin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
if [ "${1:-}" = "stop" ]; then
  runuser -u postgres -- "$pgbin/pg_ctl" -D "$2" -m fast stop >/dev/null
  rm -rf "$2"
  exit 0
fi
dir=$(mktemp -d /tmp/mailroom-pg.XXXXXX)
chown postgres "$dir"
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
runuser -u postgres -- "$pgbin/initdb" -D "$dir" -A trust -U postgres >/dev/null
runuser -u postgres -- "$pgbin/pg_ctl" -D "$dir" -l "$dir/server.log" -w \
  -o "-c listen_addresses=127.0.0.1 -p $port -k $dir -c fsync=off -c max_connections=300" start >/dev/null
echo "MAILROOM_TEST_POSTGRES=Host=127.0.0.1;Port=$port;Username=postgres;Database=postgres;Pooling=true"
echo "MAILROOM_TEST_POSTGRES_DIR=$dir"
