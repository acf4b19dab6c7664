#!/usr/bin/env python3
"""Compare `mailroom mime summarize` with Python's email (policy.default) on subject and text, per message,
and group the text disagreements by cause.

    python3 bench/mime/agreement.py [FILE...]      # default: every corpus message
    python3 bench/mime/agreement.py --unstructured-vectors   # headers/unstructured.json as Subject fields
    MAILROOM="dotnet src/Mailroom.Server/bin/Release/net10.0/mailroom.dll" python3 bench/mime/agreement.py
"""
import atexit, email, email.policy, json, os, pathlib, re, shlex, shutil, subprocess, sys, tempfile
from collections import Counter

root = pathlib.Path(__file__).resolve().parents[2]
corpus = root / ".." / "shared" / "corpus"

def unstructured_vectors():
    """headers/unstructured.json, each vector's field as the Subject of a message in a temporary folder."""
    folder = pathlib.Path(tempfile.mkdtemp())
    atexit.register(shutil.rmtree, folder)
    for i, vector in enumerate(json.loads((corpus / "headers" / "unstructured.json").read_text())):
        lines = vector["header"].replace("\r\n", "\n").split("\n")
        field = lines[0]
        for line in lines[1:]:
            if not line[:1] in (" ", "\t"): break
            field += "\r\n" + line
        (folder / f"{i:02}.eml").write_bytes(f"Subject:{field}\r\n\r\nx\r\n".encode())
    return [str(f) for f in sorted(folder.iterdir())]

if sys.argv[1:] == ["--unstructured-vectors"]: files = unstructured_vectors()
else: files = sys.argv[1:] or [str(f) for f in sorted(list((corpus / "messages").rglob("*.eml")) + list((corpus / "structure").rglob("*.msg")))]
command = shlex.split(os.environ.get("MAILROOM", f"dotnet {root}/src/Mailroom.Server/bin/Release/net10.0/mailroom.dll"))
ours = {r["file"]: r for r in map(json.loads, subprocess.run(command + ["mime", "summarize", *files], capture_output=True, check=True, text=True).stdout.splitlines())}

def lf(s): return None if s is None else s.replace("\r\n", "\n")

# Each cause is a reading we keep on purpose (docs/mime.md, "Agreement with Python's email"); "other" is parser work.
def cause(py, us, raw):
    if py is not None and py.startswith("ERROR unknown encoding"):
        return "charset: Python has no decoder for the charset; we decode it"
    if py is not None and us is not None and "\ufffd" in py and ascii_only(py) == ascii_only(us):
        return "charset: Python replaces 8-bit text in an undeclared or ASCII charset; we read UTF-8, else Windows-1252"
    header_block = raw.replace(b"\r\n", b"\n").split(b"\n\n")[0]
    if py and py.split("\n")[0].encode("utf-8", "replace") in header_block:
        return "header block: Python ends it at a line that is not a field (or the obs-syntax 'Name :'); we skip the line"
    if py is not None and us == py + "\n":
        return "end of input: a part that no delimiter ends keeps its last line break (RFC 2046 5.1.1: that CRLF belongs to a delimiter)"
    if py is None or us is None or us.startswith(py + "\n--") or not us or not py.startswith(us[0]):
        return "delimiters: a delimiter need only begin its line, a near-miss is body, an outer one closes the inner parts (RFC 2046 5.1.1, mime4j agrees)"
    return "other"

def subject_cause(py, us):
    if py is not None and us is not None and "\ufffd" in py and ascii_only(py) == ascii_only(us):
        return "charset: Python replaces raw 8-bit header text; we read UTF-8, else Windows-1252"
    if py is None and us is not None:
        return "header block: Python does not read the obs-syntax 'Subject :' (RFC 5322 4.5) or stops before the field"
    return "other"

def ascii_only(s): return "".join(c for c in s if c < "\x80")

subjects = texts = 0
causes, subject_causes = Counter(), Counter()
for file in files:
    raw = pathlib.Path(file).read_bytes()
    message = email.message_from_bytes(raw, policy=email.policy.default)
    try:
        subject = None if message["subject"] is None else str(message["subject"])
    except Exception as e:
        subject = f"ERROR {e}"
    try:
        body = message.get_body(("plain",))
        text = None if body is None else body.get_content()
    except Exception as e:
        text = f"ERROR {e}"
    r = ours[file]
    if (subject or "").strip() == (r.get("subject") or "").strip(): subjects += 1
    else:
        c = subject_cause(subject, r.get("subject"))
        subject_causes[c] += 1
        print(f"subject  {file}: {c.split(':')[0]}; python {subject!r:.60} ours {r.get('subject')!r:.60}")
    if lf(text) == lf(r.get("text")): texts += 1; continue
    c = cause(lf(text), lf(r.get("text")), raw)
    causes[c] += 1
    print(f"text     {file}: {c.split(':')[0]}; python {lf(text)!r:.60} ours {lf(r.get('text'))!r:.60}")
n = len(files)
print(f"\nmessages={n} subject agree={subjects} ({100 * subjects / n:.1f} %) text agree={texts} ({100 * texts / n:.1f} %)")
for title, counter in (("subject", subject_causes), ("text", causes)):
    for c, k in counter.most_common(): print(f"  {title:7} {k:4}  {c}")
