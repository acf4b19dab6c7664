-- migrator: foreign_keys=OFF
-- Mail may outlive its inbox: an identity deleted through the identities API keeps its threads, messages and drafts.
-- inbox_id becomes nullable with ON DELETE SET NULL on threads, messages and drafts, and a thread keeps the address
-- of its inbox in inbox_address. SQLite cannot alter a foreign key, so each table is rebuilt as its documented
-- procedure says: create the new table, copy, drop the old one, rename, recreate the indexes. The first line makes
-- the migrator run this script with foreign keys off (otherwise DROP TABLE threads would delete every message by
-- cascade) and run PRAGMA foreign_key_check before it commits.

CREATE TABLE threads_new (
    id TEXT PRIMARY KEY,
    org_id TEXT NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
    inbox_id TEXT REFERENCES inboxes(id) ON DELETE SET NULL,
    subject TEXT,
    normalized_subject TEXT,
    preview TEXT,
    labels_json TEXT NOT NULL,
    senders_json TEXT NOT NULL,
    recipients_json TEXT NOT NULL,
    message_count INTEGER NOT NULL,
    size INTEGER NOT NULL,
    last_message_id TEXT,
    received_at INTEGER,
    sent_at INTEGER,
    last_activity_at INTEGER NOT NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    inbox_address TEXT NOT NULL
);
-- A thread whose inbox is missing would make inbox_address NULL and stop the migration rather than lose the thread.
INSERT INTO threads_new (id, org_id, inbox_id, subject, normalized_subject, preview, labels_json, senders_json, recipients_json,
    message_count, size, last_message_id, received_at, sent_at, last_activity_at, created_at, updated_at, inbox_address)
SELECT t.id, t.org_id, t.inbox_id, t.subject, t.normalized_subject, t.preview, t.labels_json, t.senders_json, t.recipients_json,
    t.message_count, t.size, t.last_message_id, t.received_at, t.sent_at, t.last_activity_at, t.created_at, t.updated_at,
    (SELECT i.username || '@' || i.domain FROM inboxes i WHERE i.id = t.inbox_id)
FROM threads t;
DROP TABLE threads;
ALTER TABLE threads_new RENAME TO threads;
CREATE INDEX ix_threads_inbox_activity ON threads(inbox_id, last_activity_at DESC);

CREATE TABLE messages_new (
    id TEXT PRIMARY KEY,
    org_id TEXT NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
    inbox_id TEXT REFERENCES inboxes(id) ON DELETE SET NULL,
    thread_id TEXT NOT NULL REFERENCES threads(id) ON DELETE CASCADE,
    direction TEXT NOT NULL,
    status TEXT NOT NULL,
    rfc_message_id TEXT,
    in_reply_to TEXT,
    references_json TEXT,
    from_address TEXT,
    to_json TEXT NOT NULL,
    cc_json TEXT,
    bcc_json TEXT,
    reply_to_json TEXT,
    subject TEXT,
    preview TEXT,
    text_body TEXT,
    html_body TEXT,
    headers_json TEXT NOT NULL,
    labels_json TEXT NOT NULL,
    size INTEGER NOT NULL,
    raw_blob_key TEXT,
    auth_spf TEXT,
    auth_dkim TEXT,
    auth_dmarc TEXT,
    auth_results TEXT,
    draft_id TEXT,
    -- The spool row it came from: processing the same spooled message again stores nothing twice.
    spool_id TEXT,
    timestamp INTEGER NOT NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);
INSERT INTO messages_new (id, org_id, inbox_id, thread_id, direction, status, rfc_message_id, in_reply_to, references_json, from_address,
    to_json, cc_json, bcc_json, reply_to_json, subject, preview, text_body, html_body, headers_json, labels_json, size, raw_blob_key,
    auth_spf, auth_dkim, auth_dmarc, auth_results, draft_id, spool_id, timestamp, created_at, updated_at)
SELECT id, org_id, inbox_id, thread_id, direction, status, rfc_message_id, in_reply_to, references_json, from_address,
    to_json, cc_json, bcc_json, reply_to_json, subject, preview, text_body, html_body, headers_json, labels_json, size, raw_blob_key,
    auth_spf, auth_dkim, auth_dmarc, auth_results, draft_id, spool_id, timestamp, created_at, updated_at
FROM messages;
DROP TABLE messages;
ALTER TABLE messages_new RENAME TO messages;
CREATE INDEX ix_messages_inbox_time ON messages(inbox_id, timestamp DESC);
CREATE INDEX ix_messages_thread ON messages(thread_id, timestamp);
CREATE INDEX ix_messages_rfc_id ON messages(inbox_id, rfc_message_id);
CREATE UNIQUE INDEX ux_messages_spool ON messages(inbox_id, spool_id) WHERE spool_id IS NOT NULL;

CREATE TABLE drafts_new (
    id TEXT PRIMARY KEY,
    org_id TEXT NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
    inbox_id TEXT REFERENCES inboxes(id) ON DELETE SET NULL,
    thread_id TEXT REFERENCES threads(id) ON DELETE SET NULL,
    in_reply_to_message_id TEXT,
    state TEXT NOT NULL,
    version INTEGER NOT NULL,
    payload_json TEXT NOT NULL,
    notifications_json TEXT NOT NULL,
    escalation_due_at INTEGER,
    decided_by TEXT,
    decided_at INTEGER,
    sent_message_id TEXT,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);
INSERT INTO drafts_new (id, org_id, inbox_id, thread_id, in_reply_to_message_id, state, version, payload_json, notifications_json,
    escalation_due_at, decided_by, decided_at, sent_message_id, created_at, updated_at)
SELECT id, org_id, inbox_id, thread_id, in_reply_to_message_id, state, version, payload_json, notifications_json,
    escalation_due_at, decided_by, decided_at, sent_message_id, created_at, updated_at
FROM drafts;
DROP TABLE drafts;
ALTER TABLE drafts_new RENAME TO drafts;
CREATE INDEX ix_drafts_inbox_state ON drafts(inbox_id, state);
CREATE INDEX ix_drafts_escalation ON drafts(state, escalation_due_at);

-- Deleting messages cascades to their outbound deliveries: without this index each deleted message scans the queue.
CREATE INDEX ix_outbound_deliveries_message ON outbound_deliveries(message_id);
