#!/usr/bin/env python3
"""Parse the same corpus with Python's standard email package (policy.default) and print MB/s and msgs/s."""
import email, email.policy, pathlib, sys, time

root = pathlib.Path(__file__).resolve().parents[2] / ".." / "shared" / "corpus"
files = sorted(list((root / "messages").rglob("*.eml")) + list((root / "structure").rglob("*.msg")))
data = [f.read_bytes() for f in files]
total = sum(len(d) for d in data)

def touch(raw):
    m = email.message_from_bytes(raw, policy=email.policy.default)
    n = len(str(m["from"] or "")) + len(str(m["to"] or "")) + len(str(m["subject"] or ""))
    try:
        body = m.get_body(("plain", "html"))
        if body is not None:
            n += len(body.get_content())
    except Exception:
        pass
    for a in m.iter_attachments():
        try:
            n += len(a.get_content())
        except Exception:
            pass
    return n

for raw in data:
    try: touch(raw)
    except Exception: pass
start = time.perf_counter(); rounds = 0
while time.perf_counter() - start < float(sys.argv[1] if len(sys.argv) > 1 else 5):
    for raw in data:
        try: touch(raw)
        except Exception: pass
    rounds += 1
elapsed = time.perf_counter() - start
print(f"files={len(data)} bytes={total} rounds={rounds} MB/s={total * rounds / elapsed / 1e6:.1f} msgs/s={len(data) * rounds / elapsed:.0f}")
