"""One round of bench/smtp/outbound-crash.sh: sink, server, burst, SIGKILL, restart, drain, count."""
import json, os, random, signal, socket, subprocess, sys, threading, time, urllib.request, urllib.error
from concurrent.futures import ThreadPoolExecutor
from aiosmtpd.controller import Controller

server_dll, messages, provider, run, config = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4], sys.argv[5:]

def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]

class CountingSink:
    """Accepts everything and counts each Message-ID it answered 250 to."""
    def __init__(self):
        self.lock, self.seen, self.accepted = threading.Lock(), {}, 0
    async def handle_DATA(self, server, session, envelope):
        mid = next((line.split(b":", 1)[1].strip() for line in envelope.original_content.split(b"\r\n\r\n", 1)[0].split(b"\r\n")
                    if line.lower().startswith(b"message-id:")), b"?")
        with self.lock:
            self.seen[mid] = self.seen.get(mid, 0) + 1
            self.accepted += 1
        return "250 2.0.0 stored"

sink = CountingSink()
sink_port, http = free_port(), free_port()
controller = Controller(sink, hostname="127.0.0.1", port=sink_port, decode_data=False)
controller.start()
config += ["--Mailroom:Outbound:Mode=relay", "--Mailroom:Outbound:Relay:Host=127.0.0.1",
           f"--Mailroom:Outbound:Relay:Port={sink_port}", "--Mailroom:Outbound:Relay:Tls=none"]

key = json.loads(subprocess.check_output(["dotnet", server_dll, "admin", "create-org", "--name", "crash", *config]))["api_key"]

def start():
    process = subprocess.Popen(["dotnet", server_dll, "--urls", f"http://127.0.0.1:{http}",
                                f"--Mailroom:Smtp:Listen=127.0.0.1:{free_port()}", *config])
    while True:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{http}/healthz", timeout=2)
            return process
        except (urllib.error.URLError, ConnectionError, OSError):
            time.sleep(0.1)

def api(method, path, body):
    request = urllib.request.Request(f"http://127.0.0.1:{http}{path}", data=json.dumps(body).encode(), method=method,
                                     headers={"Authorization": f"Bearer {key}", "Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.load(response)

server = start()
inbox = api("POST", "/api/v0/inboxes", {"username": "crash"})["inbox_id"]
queued, failed = [], []

def send(n):
    try:
        queued.append(api("POST", f"/api/v0/inboxes/{inbox}/messages/send",
                          {"to": ["x@sink.example"], "subject": f"crash {n}", "text": f"message {n}"})["message_id"])
    except (urllib.error.URLError, ConnectionError, OSError):
        failed.append(n)  # the server was killed under this request: sent again after the restart

# The kill lands at a random moment once the sink has accepted a random share of the burst, while sends and deliveries
# both run; the extra random delay keeps the moment independent of any one message's acceptance.
kill_at = random.randint(messages // 5, messages * 3 // 5)
with ThreadPoolExecutor(8) as pool:
    pending = [pool.submit(send, n) for n in range(messages)]
    while sink.accepted < kill_at:
        time.sleep(0.002)
    time.sleep(random.uniform(0, 0.5))
    os.kill(server.pid, signal.SIGKILL)
    server.wait()
    killed_after = sink.accepted
    for p in pending:
        p.result()
server = start()
with ThreadPoolExecutor(8) as pool:
    list(pool.map(send, list(failed)))

# Drained: every acknowledged message was received and nothing new arrived for 5 s.
last, quiet = -1, time.monotonic()
while True:
    time.sleep(0.5)
    with sink.lock:
        accepted, distinct = sink.accepted, len(sink.seen)
    if accepted != last:
        last, quiet = accepted, time.monotonic()
    elif distinct >= len(queued) and time.monotonic() - quiet > 5:
        break
    elif time.monotonic() - quiet > 120:
        print("drain stalled", file=sys.stderr)
        break
server.send_signal(signal.SIGTERM)
server.wait()
controller.stop()
with sink.lock:
    duplicates = sum(c - 1 for c in sink.seen.values())
    distinct = len(sink.seen)
print(f"{provider} run {run}: killed after {killed_after} accepted; {len(queued)} queued, {distinct} distinct received, "
      f"{duplicates} sent twice, {max(0, len(queued) - distinct)} missing", flush=True)
