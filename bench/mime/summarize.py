#!/usr/bin/env python3
"""`mailroom mime summarize FILE...` done with Python's email (policy.default): one JSON line per file, the same fields."""
import email, email.policy, email.utils, json, sys
from datetime import timezone

def addresses(message, name):
    header = message[name]
    if header is None: return []
    try: return [{"name": a.display_name or None, "address": a.addr_spec or None} for a in header.addresses]
    except Exception: return []

def summary(file):
    try:
        with open(file, "rb") as f: message = email.message_from_binary_file(f, policy=email.policy.default)
    except OSError as e:
        return {"file": file, "error": str(e)}
    try: date = message["date"].datetime.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ") if message["date"] else None
    except Exception: date = None
    def body(kind):
        try:
            part = message.get_body((kind,))
            return None if part is None else part.get_content()
        except Exception: return None
    html = body("html")
    attachments = []
    for part in message.iter_attachments():
        try: size = len(part.get_payload(decode=True) or b"")
        except Exception: size = 0
        attachments.append({"filename": part.get_filename(), "content_type": part.get_content_type(), "size": size,
                            "content_id": (part["content-id"] or "").strip("<> ") or None, "disposition": part.get_content_disposition()})
    return {"file": file, "from": addresses(message, "from"), "to": addresses(message, "to"), "cc": addresses(message, "cc"),
            "subject": str(message["subject"]) if message["subject"] is not None else None, "date": date,
            "message_id": (message["message-id"] or "").strip("<> ") or None, "text": body("plain"),
            "html_length": None if html is None else len(html), "attachments": attachments}

out = sys.stdout
for file in sys.argv[1:]:
    try: line = summary(file)
    except Exception as e: line = {"file": file, "error": str(e)}
    out.write(json.dumps(line, ensure_ascii=False) + "\n")
