#!/usr/bin/env bash
# The same load against Postfix itself (Debian's postfix, a throw-away instance on 127.0.0.1): smtp-source delivers
# MESSAGES messages of SIZE bytes over SESSIONS sessions to a virtual mailbox; the clock stops when every message
# is in the Maildir. Run as root (Postfix's master needs it).
set -euo pipefail
[ -n "${TRACE:-}" ] && set -x
sessions=${SESSIONS:-20}; messages=${MESSAGES:-20000}; size=${SIZE:-4096}
work=$(mktemp -d /tmp/postfix-bench.XXXXXX)
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
chmod 755 "$work"
conf=$work/etc; mkdir -p "$conf" "$work/queue" "$work/data" "$work/mail"
cp /etc/postfix/master.cf "$conf/master.cf"
# Only smtpd on our port, unchrooted; the rest of master.cf (cleanup, qmgr, virtual ...) as shipped, unchrooted.
sed -i -E 's/^(smtp +inet.*)$/#\1/; s/^([a-z]+ +(unix|fifo|pass) +[-ny] +[-ny] +)[-y]( +)/\1n\3/' "$conf/master.cf"
echo "127.0.0.1:$port inet n - n - - smtpd" >> "$conf/master.cf"
chown postfix "$work/mail" "$work/data"
cat > "$conf/main.cf" <<CF
compatibility_level = 3.6
queue_directory = $work/queue
data_directory = $work/data
inet_interfaces = 127.0.0.1
inet_protocols = ipv4
mydestination =
myhostname = bench.localhost
mynetworks = 127.0.0.0/8
virtual_mailbox_domains = bench.test
virtual_mailbox_base = $work/mail
virtual_mailbox_maps = static:box/
virtual_uid_maps = static:$(id -u postfix)
virtual_gid_maps = static:$(id -g postfix)
smtpd_recipient_restrictions = permit_mynetworks, reject_unauth_destination
default_process_limit = 100
maillog_file = $work/maillog
maillog_file_prefixes = $work
meta_directory = /etc/postfix
CF
# Postfix runs an alternate configuration only when the default one names it.
postconf -e "alternate_config_directories = $conf"
postfix -c "$conf" check
postfix -c "$conf" start >/dev/null 2>&1
trap 'postfix -c "$conf" stop >/dev/null 2>&1 || true; sleep 1; rm -rf "$work"' EXIT
until python3 -c "import socket; socket.create_connection(('127.0.0.1', $port), 1)" 2>/dev/null; do sleep 0.2; done

start=$(date +%s.%N)
/usr/sbin/smtp-source -s "$sessions" -m "$messages" -l "$size" -f sender@bench.example -t box@bench.test -M client.bench.example "127.0.0.1:$port"
accepted=$(date +%s.%N)
until [ "$(ls "$work/mail/box/new" 2>/dev/null | wc -l)" -ge "$messages" ]; do sleep 0.2; done
stored=$(date +%s.%N)
python3 - "$start" "$accepted" "$stored" "$messages" <<'PY'
import sys
start, accepted, stored, n = float(sys.argv[1]), float(sys.argv[2]), float(sys.argv[3]), int(sys.argv[4])
print(f"postfix: {n} messages accepted in {accepted-start:.1f} s ({n/(accepted-start):.0f} msg/s); "
      f"delivered to the mailbox in {stored-start:.1f} s ({n/(stored-start):.0f} msg/s end to end)")
PY
