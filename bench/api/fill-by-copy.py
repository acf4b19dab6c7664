#!/usr/bin/env python3
"""Grows one inbox to TARGET messages by copying in SQL the mail it received over SMTP (for the 1,000,000-message read
benchmark, whose fill over SMTP would take hours on this machine). Each copy repeats every original thread, message and
search-term row under new ids (the original id with '.cK' appended) and earlier times (shifted by K times the span of
the originals), so the copies sort after the originals and the indexes hold TARGET distinct entries, as a real fill
would; the inbox's counters grow by what was added. Each copy is queued for the search indexer like received mail
(migration 0020's trigger), which writes its FTS rows and the terms the copy did not bring; PostgreSQL's text_vector is
generated. The columns are read from the database, so the copy follows the schema.
Usage: fill-by-copy.py sqlite DB_FILE INBOX_ID TARGET | fill-by-copy.py postgres PSQL_CONNINFO INBOX_ID TARGET"""
import sqlite3, subprocess, sys, time

provider, where, inbox, target = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])

# Per table: the column that selects the originals of the inbox, the id columns that get the suffix, the times that shift.
TABLES = [
    ("threads", "id", {"id", "last_message_id"}, {"received_at", "sent_at", "last_activity_at", "created_at", "updated_at"}),
    ("messages", "id", {"id", "thread_id", "rfc_message_id"}, {"timestamp", "created_at", "updated_at"}),
    ("message_terms", "message_id", {"message_id"}, {"timestamp"}),
]
NULLED = {("messages", "spool_id")}


class Sqlite:
    def __init__(self, path):
        self.db = sqlite3.connect(path, timeout=60, isolation_level=None)

    def rows(self, sql):
        return self.db.execute(sql).fetchall()

    def columns(self, table):
        return [r[1] for r in self.rows(f"PRAGMA table_info({table})")]

    def run(self, statements):
        self.db.execute("BEGIN IMMEDIATE")
        for s in statements: self.db.execute(s)
        self.db.execute("COMMIT")

    original = "instr({0}, '.') = 0"


class Postgres:
    def __init__(self, conninfo):
        self.conninfo = conninfo

    def rows(self, sql):
        out = subprocess.run(["psql", self.conninfo, "-AtF", "\t", "-c", sql], check=True, capture_output=True, text=True).stdout
        return [tuple(line.split("\t")) for line in out.splitlines() if line]

    def columns(self, table):
        return [r[0] for r in self.rows(f"SELECT column_name FROM information_schema.columns WHERE table_name = '{table}' "
                                        f"AND is_generated = 'NEVER' ORDER BY ordinal_position")]

    def run(self, statements):
        subprocess.run(["psql", self.conninfo, "-v", "ON_ERROR_STOP=1", "-q", "-1", "-c", ";\n".join(statements)], check=True)

    original = "strpos({0}, '.') = 0"


db = Sqlite(where) if provider == "sqlite" else Postgres(where)
q = lambda s: "'" + s.replace("'", "''") + "'"
(messages, threads, first, last), = db.rows(
    f"SELECT COUNT(*), COUNT(DISTINCT thread_id), MIN(timestamp), MAX(timestamp) FROM messages WHERE inbox_id = {q(inbox)} AND {db.original.format('id')}")
messages, threads, span = int(messages), int(threads), int(last) - int(first) + 1
copies = -(-target // messages) - 1
print(f"copying {messages} messages in {threads} threads {copies} times (span {span} ms)", flush=True)

for k in range(1, copies + 1):
    started = time.time()
    statements = []
    for table, key, ids, times in TABLES:
        columns = db.columns(table)
        values = []
        for c in columns:
            if (table, c) in NULLED: values.append("NULL")
            elif c in ids: values.append(f"\"{c}\" || '.c{k}'")
            elif c in times: values.append(f"\"{c}\" - {k * span}")
            else: values.append(f"\"{c}\"")
        source = f"SELECT {', '.join(values)} FROM {table} WHERE {db.original.format(key)} AND "
        source += (f"inbox_id = {q(inbox)}" if table != "message_terms" else
                   f"message_id IN (SELECT id FROM messages WHERE inbox_id = {q(inbox)} AND {db.original.format('id')})")
        quoted = ", ".join('"' + c + '"' for c in columns)
        statements.append(f"INSERT INTO {table} ({quoted}) {source}")
    statements.append(f"UPDATE inboxes SET message_count = message_count + {messages}, thread_count = thread_count + {threads} WHERE id = {q(inbox)}")
    db.run(statements)
    print(f"copy {k}: {time.time() - started:.0f} s", flush=True)
if provider == "postgres":
    # What autovacuum would do within a minute of such a load: the planner's statistics for the grown tables.
    db.run(["ANALYZE threads", "ANALYZE messages", "ANALYZE message_terms"])
