# Sourced by the benchmarks (run as root). Starts a Release build of Mailroom on free ports on 127.0.0.1, with a real
# resolver for its inbound checks, creates an organization and the inbox bench@mailroom.local, and stops all on exit.
# Input: $provider (sqlite | postgres; postgres needs MAILROOM_TEST_POSTGRES); MAILROOM_CHECKOUT builds another
# checkout of the repository (a "before" tree) with the same benchmark.
# Sets: $http $smtp $pid $key $inbox; defines api PATH (GET with the key) and count (the inbox's message total).
checkout=${MAILROOM_CHECKOUT:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
work=$(mktemp -d /tmp/mailroom-bench.XXXXXX)
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
http=$(free_port); smtp=$(free_port); dns=$(free_port)

# SPF passes for the sender's domain, DMARC is published, all else NXDOMAIN; with a TTL, as real records have.
/usr/sbin/dnsmasq --no-daemon --port=$dns --listen-address=127.0.0.1 --bind-interfaces --no-resolv --no-hosts --conf-file=/dev/null \
  --user=root --group=root --pid-file= --local=/#/ --local-ttl=3600 '--txt-record=bench.example,v=spf1 ip4:127.0.0.1 -all' \
  '--txt-record=_dmarc.bench.example,v=DMARC1; p=none' >/dev/null 2>&1 &
dnspid=$!
pid=
trap 'kill $pid $dnspid 2>/dev/null; wait $pid 2>/dev/null; rm -rf "$work"' EXIT

dotnet build -c Release "$checkout/src/Mailroom.Server" >/dev/null
server="$checkout/src/Mailroom.Server/bin/Release/net10.0/mailroom.dll"
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
until curl -sf "http://127.0.0.1:$http/healthz" >/dev/null; do sleep 0.2; done
inbox=$(curl -sf -X POST "http://127.0.0.1:$http/api/v0/inboxes" -H "Authorization: Bearer $key" -H 'Content-Type: application/json' \
  -d '{"username":"bench"}' | python3 -c 'import json,sys; print(json.load(sys.stdin)["inbox_id"])')

api() { curl -sf "http://127.0.0.1:$http$1" -H "Authorization: Bearer $key"; }
count() { api "/api/v0/inboxes/$inbox/messages?page_size=1" | python3 -c 'import json,sys; print(json.load(sys.stdin)["total"])'; }
# Messages stored but not yet in the search indexes (migration 0020's queue, indexed after the commit; 0 before it).
queued() {
  if [ "$provider" = postgres ]; then
    psql "$(echo "$MAILROOM_TEST_POSTGRES" | sed "s/;/ /g; s/Host=/host=/; s/Port=/port=/; s/Username=/user=/; s/Database=[^ ]*/dbname=$db/; s/Pooling=[^ ]*//")" \
      -tAc "SELECT COUNT(*) FROM message_index_queue" 2>/dev/null || echo 0
  else
    python3 -c 'import sqlite3, sys
c = sqlite3.connect("file:" + sys.argv[1] + "?mode=ro", uri=True)
print(c.execute("SELECT COUNT(*) FROM message_index_queue").fetchone()[0] if c.execute("SELECT 1 FROM sqlite_master WHERE name = ?", ("message_index_queue",)).fetchone() else 0)' "$work/mailroom.db"
  fi
}
