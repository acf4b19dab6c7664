#!/usr/bin/env bash
# Ingest benchmark: Postfix's smtp-source delivers MESSAGES messages of SIZE bytes over SESSIONS parallel sessions
# to Mailroom's SMTP listener; the clock stops when every message is stored and queryable through /api/v0.
# Usage: bench/smtp/mailroom-ingest.sh [sqlite|postgres]   (postgres needs MAILROOM_TEST_POSTGRES)
set -euo pipefail
provider=${1:-sqlite}
sessions=${SESSIONS:-20}; messages=${MESSAGES:-20000}; size=${SIZE:-4096}
root=$(cd "$(dirname "$0")/../.." && pwd)
work=$(mktemp -d /tmp/mailroom-bench.XXXXXX)
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
http=$(free_port); smtp=$(free_port); dns=$(free_port)

# A real resolver for the inbound checks: SPF passes for the sender's domain, DMARC is published, all else NXDOMAIN.
/usr/sbin/dnsmasq --no-daemon --port=$dns --listen-address=127.0.0.1 --bind-interfaces --no-resolv --no-hosts --conf-file=/dev/null \
  --user=root --group=root --pid-file= --local=/#/ --local-ttl=3600 '--txt-record=bench.example,v=spf1 ip4:127.0.0.1 -all' \
  '--txt-record=_dmarc.bench.example,v=DMARC1; p=none' >/dev/null 2>&1 &
dnspid=$!

dotnet build -c Release "$root/src/Mailroom.Server" >/dev/null
server="$root/src/Mailroom.Server/bin/Release/net10.0/mailroom.dll"
args=(--Mailroom:DataDir="$work" --Mailroom:Dns:Servers=127.0.0.1:$dns --Mailroom:DomainRecheckInterval=00:00:00
      --Mailroom:RateLimit:RequestsPerSecond=100000 --Mailroom:RateLimit:Burst=100000 --Logging:LogLevel:Default=Warning)
if [ "$provider" = postgres ]; then
  db="mailroom_bench_$$"
  psql "$(echo "$MAILROOM_TEST_POSTGRES" | sed 's/;/ /g; s/Host=/host=/; s/Port=/port=/; s/Username=/user=/; s/Database=[^ ]*/dbname=postgres/; s/Pooling=[^ ]*//')" -qc "CREATE DATABASE $db"
  args+=(--Mailroom:Database:Provider=postgres "--Mailroom:Database:ConnectionString=$(echo "$MAILROOM_TEST_POSTGRES" | sed "s/Database=[^;]*/Database=$db/")")
fi

key=$(dotnet "$server" admin create-org --name bench "${args[@]}" | python3 -c 'import json,sys; print(json.load(sys.stdin)["api_key"])')
dotnet "$server" --urls "http://127.0.0.1:$http" --Mailroom:Smtp:Listen=127.0.0.1:$smtp "${args[@]}" &
pid=$!
trap 'kill $pid $dnspid 2>/dev/null; wait $pid 2>/dev/null; rm -rf "$work"' EXIT
until curl -sf "http://127.0.0.1:$http/healthz" >/dev/null; do sleep 0.2; done
inbox=$(curl -sf -X POST "http://127.0.0.1:$http/api/v0/inboxes" -H "Authorization: Bearer $key" -H 'Content-Type: application/json' \
  -d '{"username":"bench"}' | python3 -c 'import json,sys; print(json.load(sys.stdin)["inbox_id"])')

count() { curl -sf "http://127.0.0.1:$http/api/v0/inboxes/$inbox/messages?page_size=1" -H "Authorization: Bearer $key" \
  | python3 -c 'import json,sys; print(json.load(sys.stdin)["total"])'; }

cpu() { awk '{print ($14+$15)/100}' /proc/$pid/stat; }
cpu_before=$(cpu)
start=$(date +%s.%N)
/usr/sbin/smtp-source -s "$sessions" -m "$messages" -l "$size" -f sender@bench.example -t bench@mailroom.local -M client.bench.example "127.0.0.1:$smtp"
accepted=$(date +%s.%N)
until [ "$(count)" -ge "$messages" ]; do sleep 0.2; done
stored=$(date +%s.%N)

cpu_after=$(cpu)
python3 -c "print(f'server cpu during the run: {$cpu_after - $cpu_before:.2f} s ({($cpu_after - $cpu_before) * 1e6 / $messages:.0f} us per message)')"
python3 - "$start" "$accepted" "$stored" "$messages" "$provider" <<'PY'
import sys
start, accepted, stored, n, provider = float(sys.argv[1]), float(sys.argv[2]), float(sys.argv[3]), int(sys.argv[4]), sys.argv[5]
print(f"mailroom ({provider}): {n} messages accepted in {accepted-start:.1f} s ({n/(accepted-start):.0f} msg/s); "
      f"stored and queryable in {stored-start:.1f} s ({n/(stored-start):.0f} msg/s end to end)")
PY
