-- The /v1 identities dialect: drafts waiting for a person, their decisions and escalation, test mails and their tasks.
-- drafts.in_reply_to_message_id is the draft's based_on_message_id; notifications_json lists the cards posted for it.

ALTER TABLE drafts ADD COLUMN escalated_at INTEGER;
ALTER TABLE drafts ADD COLUMN reject_reason TEXT;
ALTER TABLE drafts ADD COLUMN failure TEXT;
ALTER TABLE drafts ADD COLUMN created_by TEXT;
-- Lists of an organization's drafts, newest first; drafts of a thread by state (staleness, thread status).
CREATE INDEX ix_drafts_org ON drafts(org_id, id);
CREATE INDEX ix_drafts_thread_state ON drafts(thread_id, state);

-- An identity's link to an assistant record of the caller's (the spec's assistant_id), kept as given.
ALTER TABLE inboxes ADD COLUMN assistant_id TEXT;

-- /v1/threads lists an organization's threads across its identities, most recent activity first.
CREATE INDEX ix_threads_org_activity ON threads(org_id, last_activity_at DESC);
-- Identities listed by status within an organization.
CREATE INDEX ix_inboxes_org_status ON inboxes(org_id, status, id);

-- Work an identity started that a client follows by id: a test mail (kind test_email) and the message it sent.
CREATE TABLE identity_tasks (
    id TEXT PRIMARY KEY,
    org_id TEXT NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
    inbox_id TEXT REFERENCES inboxes(id) ON DELETE SET NULL,
    kind TEXT NOT NULL,
    message_id TEXT REFERENCES messages(id) ON DELETE SET NULL,
    failure TEXT,
    created_at INTEGER NOT NULL
);
-- The per-identity rate limit counts an identity's tasks of the last minute.
CREATE INDEX ix_identity_tasks_inbox_time ON identity_tasks(inbox_id, created_at);
