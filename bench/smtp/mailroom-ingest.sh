#!/usr/bin/env bash
# Ingest benchmark: Postfix's smtp-source delivers MESSAGES messages of SIZE bytes over SESSIONS parallel sessions
# to Mailroom's SMTP listener; the clock stops when every message is stored and queryable through /api/v0. Then it
# reports when the search indexer (which indexes after the commit, migration 0020) has caught up, and the CPU until then.
# Usage: bench/smtp/mailroom-ingest.sh [sqlite|postgres] [--with-automations]   (postgres needs MAILROOM_TEST_POSTGRES)
# With --with-automations the same server takes ROUNDS (default 3) pairs of batches: one to the organization above, one
# to another organization with five active hook actions making no outbound calls (DetectTopics, Wait 0 s, Spam, Reply,
# DetectTopics); each batch's clock also reports when every automation run is recorded; then both rates over all rounds
# and their ratio.
set -euo pipefail
provider=${1:-sqlite}
with_automations=${2:-}
sessions=${SESSIONS:-20}; messages=${MESSAGES:-20000}; size=${SIZE:-4096}
source "$(dirname "$0")/../lib/serve-mailroom.sh"

cpu() { awk '{print ($14+$15)/100}' /proc/$pid/stat; }

# measure LABEL ADDRESS COUNT_COMMAND [RUNS_COMMAND RUNS_EXPECTED]: sends MESSAGES more, prints the rates, and sets
# $rate, $seconds (start to the last 250) and $cpu_us (server CPU per message until then).
measure() {
  local label=$1 address=$2 counter=$3 runs=${4:-} expected=${5:-0}
  local cpu_before cpu_accepted cpu_after cpu_done start accepted stored done_at target
  target=$(( $($counter) + messages ))
  cpu_before=$(cpu)
  start=$(date +%s.%N)
  /usr/sbin/smtp-source -s "$sessions" -m "$messages" -l "$size" -f sender@bench.example -t "$address" -M client.bench.example "127.0.0.1:$smtp"
  accepted=$(date +%s.%N)
  cpu_accepted=$(cpu)
  until [ "$($counter)" -ge "$target" ]; do sleep 0.2; done
  stored=$(date +%s.%N)
  cpu_after=$(cpu)
  until [ "$(queued)" -eq 0 ]; do sleep 0.2; done
  echo "$label: in the search indexes $(python3 -c "print(f'{$(date +%s.%N)-$start:.1f}')") s after the start; server cpu until then $(python3 -c "print(round(($(cpu)-$cpu_before)*1e6/$messages))") us per message"
  done_at=$stored
  cpu_done=$cpu_after
  if [ -n "$runs" ]; then until [ "$($runs)" -ge "$expected" ]; do sleep 0.5; done; done_at=$(date +%s.%N); cpu_done=$(cpu); fi
  # Mailroom answers 250 only once the message is committed, so the last 250 is when all are stored; the wait for them to
  # be queryable checks it. The rates and CPU figures end at the last 250.
  rate=$(python3 -c "print(round($messages/($accepted-$start)))")
  seconds=$(python3 -c "print($accepted-$start)")
  cpu_us=$(python3 -c "print(($cpu_accepted-$cpu_before)*1e6/$messages)")
  python3 - "$label" "$start" "$accepted" "$stored" "$done_at" "$messages" "$provider" "$cpu_before" "$cpu_accepted" "$cpu_after" "$cpu_done" <<'PY'
import sys
label, start, accepted, stored, done, n, provider, c0, ca, c1, c2 = sys.argv[1], *map(float, sys.argv[2:6]), int(sys.argv[6]), sys.argv[7], *map(float, sys.argv[8:12])
print(f"{label}: server cpu until the last 250 {ca - c0:.2f} s ({(ca - c0) * 1e6 / n:.0f} us per message), until all queryable {(c1 - c0) * 1e6 / n:.0f} us per message")
print(f"{label}: mailroom ({provider}): {n} messages accepted in {accepted-start:.1f} s ({n/(accepted-start):.0f} msg/s); "
      f"stored and queryable in {stored-start:.1f} s ({n/(stored-start):.0f} msg/s end to end)")
if done > stored:
    print(f"{label}: every automation run recorded {done-start:.1f} s after the start ({n/(done-start):.0f} msg/s with automations done); "
          f"server cpu until then {(c2 - c0) * 1e6 / n:.0f} us per message")
PY
}

if [ "$with_automations" != "--with-automations" ]; then measure "without automations" "bench@mailroom.local" count; exit 0; fi

key2=$(dotnet "$server" admin create-org --name bench-automations "${args[@]}" | python3 -c 'import json,sys; print(json.load(sys.stdin)["api_key"])')
api2() { curl -sf "http://127.0.0.1:$http$1" -H "Authorization: Bearer $key2" "${@:2}"; }
post2() { api2 "$1" -X POST -H 'Content-Type: application/json' -d "$2"; }
inbox2=$(post2 /api/v0/inboxes '{"username":"auto"}' | python3 -c 'import json,sys; print(json.load(sys.stdin)["inbox_id"])')
post2 /api/Topics '{"name":"Billing","keywords":["invoice","refund"],"phrases":["credit note"]}' >/dev/null
hook() { # hook HOOK PRIORITY ACTION_JSON
  local id; id=$(post2 /api/Actions "$3" | python3 -c 'import json,sys; print(json.load(sys.stdin)["actionID"])')
  post2 /api/HookActions "{\"hookName\":\"$1\",\"actionID\":$id,\"priority\":$2}" >/dev/null
}
hook PreSpam 10 '{"name":"Topics early","actionType":"DetectTopics"}'
hook PostSpam 10 '{"name":"No wait","actionType":"Wait","waitSeconds":0}'
hook PostTopicDetection 30 '{"name":"Mark spam","actionType":"Spam"}'
hook PostTopicDetection 20 '{"name":"Draft reply","actionType":"Reply","apiBodyTemplate":"Hello {{endUser.email}}, about {{message.subject}}"}'
hook PostTopicDetection 10 '{"name":"Topics again","actionType":"DetectTopics"}'
# The Spam action moves each thread to the spam view: stored messages are both views' totals, the spam view read first
# so that a message moving between the two reads is missed (the wait goes on) rather than counted twice. While the
# actions run, that sum lags; the rates therefore stop the clock at the last 250 (see measure).
total2() { api2 "/api/v0/inboxes/$inbox2/messages?page_size=1$1" | python3 -c 'import json,sys; print(json.load(sys.stdin)["total"])'; }
count2() { local spam; spam=$(total2 "&spam=true"); echo $(( spam + $(total2 "") )); }
runs2() { api2 "/api/ActionRuns?pageSize=1" | python3 -c 'import json,sys; print(json.load(sys.stdin)["totalCount"])'; }

# Rounds alternate which side goes first, so that the machine's drift and the database's growth fall on both sides.
rounds=${ROUNDS:-3}
declare -a without_s=() with_s=() without_cpu=() with_cpu=()
for round in $(seq 1 "$rounds"); do
  for side in $( [ $((round % 2)) -eq 1 ] && echo "without with" || echo "with without"); do
    if [ "$side" = without ]; then
      measure "round $round, without automations" "bench@mailroom.local" count
      without_s+=("$seconds"); without_cpu+=("$cpu_us")
    else
      measure "round $round, with five hook actions" "auto@mailroom.local" count2 runs2 $((round * messages * 5))
      with_s+=("$seconds"); with_cpu+=("$cpu_us")
    fi
  done
done
python3 - "$messages" "${without_s[*]}" "${with_s[*]}" "${without_cpu[*]}" "${with_cpu[*]}" <<'PY'
import sys
n = int(sys.argv[1]); wo, wi, wo_cpu, wi_cpu = ([float(x) for x in a.split()] for a in sys.argv[2:6])
rate_wo, rate_wi = n * len(wo) / sum(wo), n * len(wi) / sum(wi)
print(f"without automations: {rate_wo:.0f} msg/s over {len(wo)} rounds ({', '.join(f'{n/s:.0f}' for s in wo)}), "
      f"{sum(wo_cpu)/len(wo_cpu):.0f} us server cpu per message")
print(f"with five hook actions: {rate_wi:.0f} msg/s over {len(wi)} rounds ({', '.join(f'{n/s:.0f}' for s in wi)}), "
      f"{sum(wi_cpu)/len(wi_cpu):.0f} us server cpu per message")
print(f"ratio with automations / without: {rate_wi / rate_wo:.1%}")
PY
# smtp-source writes no Subject, In-Reply-To or References, so every message starts a thread of its own.
# The Spam action moved every thread to the spam view.
echo "threads in the automations inbox (spam view): $(api2 "/api/v0/inboxes/$inbox2/threads?page_size=1&spam=true" | python3 -c 'import json,sys; print(json.load(sys.stdin)["total"])')"
