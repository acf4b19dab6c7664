#!/usr/bin/env bash
# API read benchmark: fills an inbox with MESSAGES messages over SMTP (Postfix's smtp-source), then times REQUESTS
# sequential GETs of each read on one keep-alive connection, after a warm-up, and prints p50 / p95 / p99 per route:
# the inbox's messages at page 1 and page 50 (an offset of 980 rows), the last page (the deepest offset), the threads
# at page 1, one message and one thread. smtp-source gives each message its own subject, so each is its own thread.
# Then the MCP tool search_messages over /mcp (JSON-RPC over HTTP, one session): by sender (every message of the inbox
# is from sender@bench.example) at the first page and 50 pages deep (by cursor), and full text at the first page for a
# word one message holds, for a word every message holds (the costly case), and for sender and word together.
# Usage: bench/api/read-bench.sh [sqlite|postgres]   (run as root; postgres needs MAILROOM_TEST_POSTGRES)
# MESSAGES (default 10000), REQUESTS (500), FILL_OVER_SMTP (default MESSAGES: the rest are copied in SQL).
set -euo pipefail
provider=${1:-sqlite}
messages=${MESSAGES:-10000}; requests=${REQUESTS:-500}
source "$(dirname "$0")/../lib/serve-mailroom.sh"

# FILL_OVER_SMTP (default: all) messages come over SMTP; the rest are copies of them made in SQL (fill-by-copy.py).
over_smtp=${FILL_OVER_SMTP:-$messages}
/usr/sbin/smtp-source -s 20 -m "$over_smtp" -l 4096 -f sender@bench.example -t bench@mailroom.local -M client.bench.example "127.0.0.1:$smtp"
until [ "$(count)" -ge "$over_smtp" ]; do sleep 0.2; done
if [ "$over_smtp" -lt "$messages" ]; then
  if [ "$provider" = postgres ]; then target_db=$(echo "$MAILROOM_TEST_POSTGRES" | sed "s/;/ /g; s/Host=/host=/; s/Port=/port=/; s/Username=/user=/; s/Database=[^ ]*/dbname=$db/; s/Pooling=[^ ]*//")
  else target_db="$work/mailroom.db"; fi
  python3 "$(dirname "$0")/fill-by-copy.py" "$provider" "$target_db" "$inbox" "$messages"
  until [ "$(count)" -ge "$messages" ]; do sleep 0.2; done
fi
# The search indexes catch up after the commits (migration 0020): the figures are those of the indexes, not of the queue.
until [ "$(queued)" -eq 0 ]; do sleep 0.5; done

python3 - "$http" "$key" "$inbox" "$messages" "$requests" "$provider" "$smtp" <<'PY'
import http.client, json, smtplib, sys, time, uuid
port, key, inbox, messages, requests, provider, smtp = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), int(sys.argv[5]), sys.argv[6], int(sys.argv[7])
connection = http.client.HTTPConnection("127.0.0.1", int(port))
headers = {"Authorization": f"Bearer {key}"}

def get(path):
    connection.request("GET", path, headers=headers)
    response = connection.getresponse()
    body = response.read()
    if response.status != 200: sys.exit(f"GET {path}: {response.status} {body[:200]!r}")
    return body

listing = f"/api/v0/inboxes/{inbox}/messages"
threads = f"/api/v0/inboxes/{inbox}/threads"
newest = json.loads(get(f"{listing}?page=1"))["data"][0]
last_page = (messages + 19) // 20
routes = [("list, page 1 (20 a page)", f"{listing}?page=1"), ("list, page 50", f"{listing}?page=50"),
          (f"list, page {last_page} (the last)", f"{listing}?page={last_page}"), ("threads, page 1", f"{threads}?page=1"),
          ("one message", f"{listing}/{newest['message_id']}"), ("one thread", f"{threads}/{newest['thread_id']}")]
print(f"mailroom ({provider}), inbox of {messages} messages, {requests} sequential requests per route after 50 warm-up:")
for name, path in routes:
    for _ in range(50): get(path)
    timings = []
    for _ in range(requests):
        start = time.perf_counter(); get(path); timings.append((time.perf_counter() - start) * 1000)
    timings.sort()
    p = lambda q: timings[min(len(timings) - 1, int(q * len(timings)))]
    print(f"  {name}: p50 {p(0.50):.2f} ms, p95 {p(0.95):.2f} ms, p99 {p(0.99):.2f} ms")

# MCP: initialize a session (2025-11-25), then time tools/call like the GETs above.
session = None
def rpc(method, params=None, id=1):
    body = {"jsonrpc": "2.0", "method": method, **({"id": id} if id is not None else {}), **({"params": params} if params is not None else {})}
    h = {**headers, "Content-Type": "application/json", "Accept": "application/json, text/event-stream"}
    if session: h["Mcp-Session-Id"] = session
    connection.request("POST", "/mcp", body=json.dumps(body), headers=h)
    response = connection.getresponse()
    text = response.read().decode()
    if response.status not in (200, 202): sys.exit(f"POST /mcp {method}: {response.status} {text[:200]!r}")
    if id is None: return response, None
    if response.getheader("Content-Type", "").startswith("text/event-stream"):
        text = next(line[5:] for line in text.splitlines() if line.startswith("data:") and '"id"' in line)
    answer = json.loads(text)
    if "error" in answer: sys.exit(f"{method}: {answer['error']}")
    return response, answer["result"]
response, _ = rpc("initialize", {"protocolVersion": "2025-11-25", "capabilities": {}, "clientInfo": {"name": "read-bench", "version": "1"}})
session = response.getheader("Mcp-Session-Id")
rpc("notifications/initialized", id=None)
def search(arguments):
    _, result = rpc("tools/call", {"name": "search_messages", "arguments": arguments})
    if result.get("isError"): sys.exit(f"search_messages {arguments}: {result['content'][0]['text'][:200]}")
    return json.loads(result["content"][0]["text"])

by_sender = {"inbox_id": inbox, "from": "sender@bench.example"}
deep = dict(by_sender)
deep_pages = min(50, (messages - 1) // 20)
for _ in range(deep_pages): deep["cursor"] = search(deep)["next_cursor"]
# smtp-source's mail has no subject and a body of one repeated word: that word is in every message. One more message
# carries a word no other holds.
_, newest = rpc("tools/call", {"name": "get_message", "arguments": {"inbox_id": inbox, "message_id": search({"inbox_id": inbox, "limit": 1})["messages"][0]["message_id"]}})
common_word = "".join(c for c in json.loads(newest["content"][0]["text"])["text"].split()[0] if c.isalnum())[:12]
rare_word = "lantern" + uuid.uuid4().hex[:8]
with smtplib.SMTP("127.0.0.1", smtp) as client:
    client.sendmail("sender@bench.example", ["bench@mailroom.local"],
                    f"From: sender@bench.example\r\nTo: bench@mailroom.local\r\nSubject: Harbor {rare_word}\r\n\r\nThe rare word is {rare_word}.\r\n")
while not search({"inbox_id": inbox, "text": rare_word})["messages"]: time.sleep(0.2)
searches = [("search by sender, page 1", by_sender), (f"search by sender, {deep_pages} pages deep (cursor)", deep),
            ("search text, a word one message holds, page 1", {"inbox_id": inbox, "text": rare_word}),
            ("search text, a word every message holds, page 1", {"inbox_id": inbox, "text": common_word}),
            ("search by sender and text (one match), page 1", {**by_sender, "text": rare_word})]
for name, arguments in searches:
    for _ in range(20): search(arguments)
    timings = []
    for _ in range(min(requests, 200)):
        start = time.perf_counter(); search(arguments); timings.append((time.perf_counter() - start) * 1000)
    timings.sort()
    p = lambda q: timings[min(len(timings) - 1, int(q * len(timings)))]
    print(f"  {name}: p50 {p(0.50):.2f} ms, p95 {p(0.95):.2f} ms, p99 {p(0.99):.2f} ms")
PY
