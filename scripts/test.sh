#!/usr/bin/env bash
# The test command. Installs what the tests need when it is missing (Debian packages; npm packages in a test
# project's own folder), starts a throw-away PostgreSQL on a free port on 127.0.0.1 (stopped on exit), runs
# `dotnet test Mailroom.slnx` on SQLite and PostgreSQL, prints one closing line and exits with dotnet test's status.
# Arguments go to dotnet test:  scripts/test.sh --filter "FullyQualifiedName~HostTests"
set -euo pipefail
cd "$(dirname "$0")/.."

# The real peers the tests run on 127.0.0.1 (they fail, never skip, when one is missing): PostgreSQL's server,
# dnsmasq, swaks, and Debian's python3 with dkimpy and aiosmtpd.
# spamd (SpamAssassin) for the spam check: the automation tests start it on a free port and stop it by pid.
packages=(postgresql dnsmasq-base swaks python3-dkim python3-aiosmtpd python3-dnspython spamd)
# A test project that needs npm packages keeps its package.json and package-lock.json in its own folder.
locks=(tests/*/package-lock.json)
[ -e "${locks[0]}" ] || locks=()
if [ ${#locks[@]} -gt 0 ] && ! command -v npm >/dev/null; then packages+=(npm); fi

missing=()
for package in "${packages[@]}"; do
  [ "$(dpkg-query -W -f='${db:Status-Status}' "$package" 2>/dev/null)" = installed ] || missing+=("$package")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "installing ${missing[*]}" >&2
  as_root=()
  if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null || { echo "scripts/test.sh: ${missing[*]} missing; install them as root" >&2; exit 1; }
    as_root=(sudo)
  fi
  "${as_root[@]}" apt-get update -qq
  "${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
for lock in "${locks[@]}"; do
  folder=$(dirname "$lock")
  # npm ci starts from scratch; run it only when the lock file changed since the last install.
  [ "$folder/node_modules/.package-lock.json" -nt "$lock" ] || (cd "$folder" && npm ci --no-audit --no-fund)
done

postgres=$(scripts/postgres-for-tests.sh)
postgres_dir=$(sed -n 's/^MAILROOM_TEST_POSTGRES_DIR=//p' <<<"$postgres")
log=$(mktemp)
trap 'scripts/postgres-for-tests.sh stop "$postgres_dir"; rm -f "$log"' EXIT
# A signal ends the script through exit, so that the EXIT trap stops PostgreSQL.
trap 'exit 130' INT
trap 'exit 143' TERM
MAILROOM_TEST_POSTGRES=$(sed -n 's/^MAILROOM_TEST_POSTGRES=//p' <<<"$postgres")
export MAILROOM_TEST_POSTGRES

set +e
dotnet test Mailroom.slnx "$@" 2>&1 | tee "$log"
status=${PIPESTATUS[0]}
set -e
# One closing line for all test projects together.
tr -d ',' < "$log" | awk '/^(Passed|Failed)!/ { for (i = 1; i <= NF; i++) { if ($i == "Passed:") p += $(i+1); if ($i == "Failed:") f += $(i+1) } }
     END { printf "tests: %d passed, %d failed\n", p, f }'
exit "$status"
