#!/usr/bin/env bash
# Outbound crash benchmark: MESSAGES messages are queued through POST /api/v0/inboxes/{id}/messages/send to an
# external address; the server relays them to a counting SMTP sink (aiosmtpd, 127.0.0.1). When the sink has received
# a random share of them the server is killed with SIGKILL, restarted on the same data, and left to drain its queue.
# The sink counts every Message-ID it accepted: a Message-ID accepted twice is a message sent twice. RUNS rounds,
# each on fresh data (Debian's python3-aiosmtpd, hence /usr/bin/python3). Usage: bench/smtp/outbound-crash.sh [sqlite|postgres]   (postgres needs MAILROOM_TEST_POSTGRES)
set -euo pipefail
provider=${1:-sqlite}
runs=${RUNS:-5}; messages=${MESSAGES:-1000}
root=$(cd "$(dirname "$0")/../.." && pwd)
dotnet build -c Release "$root/src/Mailroom.Server" >/dev/null
server="$root/src/Mailroom.Server/bin/Release/net10.0/mailroom.dll"
admin_pg() { echo "$MAILROOM_TEST_POSTGRES" | sed 's/;/ /g; s/Host=/host=/; s/Port=/port=/; s/Username=/user=/; s/Password=/password=/; s/Database=[^ ]*/dbname=postgres/; s/Pooling=[^ ]*//'; }

for run in $(seq 1 "$runs"); do
  work=$(mktemp -d /tmp/mailroom-outbound-crash.XXXXXX)
  args=(--Mailroom:DataDir="$work" --Mailroom:DomainRecheckInterval=00:00:00 --Mailroom:Dns:Servers=127.0.0.1:9
        --Mailroom:RateLimit:RequestsPerSecond=100000 --Mailroom:RateLimit:Burst=100000 --Logging:LogLevel:Default=Warning)
  db=""
  if [ "$provider" = postgres ]; then
    db="mailroom_crash_$$_$run"
    psql "$(admin_pg)" -qc "CREATE DATABASE $db"
    args+=(--Mailroom:Database:Provider=postgres "--Mailroom:Database:ConnectionString=$(echo "$MAILROOM_TEST_POSTGRES" | sed "s/Database=[^;]*/Database=$db/")")
  fi
  /usr/bin/python3 "$root/bench/smtp/outbound_crash.py" "$server" "$messages" "$provider" "$run" "${args[@]}"
  rm -rf "$work"
  if [ -n "$db" ]; then psql "$(admin_pg)" -qc "DROP DATABASE $db WITH (FORCE)"; fi
done
