#!/usr/bin/env bash
# Ingest benchmark: Postfix's smtp-source delivers MESSAGES messages of SIZE bytes over SESSIONS parallel sessions
# to Mailroom's SMTP listener; the clock stops when every message is stored and queryable through /api/v0.
# Usage: bench/smtp/mailroom-ingest.sh [sqlite|postgres]   (postgres needs MAILROOM_TEST_POSTGRES)
set -euo pipefail
provider=${1:-sqlite}
sessions=${SESSIONS:-20}; messages=${MESSAGES:-20000}; size=${SIZE:-4096}
source "$(dirname "$0")/../lib/serve-mailroom.sh"

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
