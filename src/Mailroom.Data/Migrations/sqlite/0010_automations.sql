-- Automations (issue 14): actions linked to topics and hooks, run by a leased job queue on the mail that arrives.
-- An action keeps the spec's fields in config_json and its outbound password and token sealed in secrets_sealed (0001).

-- Topics: keywords and further detection rules (phrases, patterns, senders), and whether they are active.
ALTER TABLE topics ADD COLUMN keywords_json TEXT NOT NULL DEFAULT '[]';
ALTER TABLE topics ADD COLUMN rules_json TEXT NOT NULL DEFAULT '{}';
ALTER TABLE topics ADD COLUMN is_active INTEGER NOT NULL DEFAULT 1;
CREATE INDEX ix_topics_org ON topics(org_id, name);

-- Integer ids for what the automation dialect calls channels: an inbox today, a phone number later (kind, target_id).
CREATE TABLE automation_channels (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    org_id TEXT NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
    kind TEXT NOT NULL,
    target_id TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    UNIQUE (kind, target_id)
);
CREATE INDEX ix_automation_channels_org ON automation_channels(org_id, id);

-- The integer the automation dialect shows as customerID for an organization.
CREATE TABLE automation_customers (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    org_id TEXT NOT NULL UNIQUE REFERENCES organizations(id) ON DELETE CASCADE
);

-- A topic link may name a special topic instead of a topic, and a channel (or special channel); one combination once.
-- SQLite cannot make topic_id nullable in place: the table (empty before this issue) is rebuilt.
CREATE TABLE topic_actions_new (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    org_id TEXT NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
    topic_id INTEGER REFERENCES topics(id) ON DELETE CASCADE,
    special_topic TEXT,
    document_id INTEGER NOT NULL DEFAULT 0,
    channel_id INTEGER REFERENCES automation_channels(id) ON DELETE CASCADE,
    special_channel TEXT,
    action_id INTEGER NOT NULL REFERENCES actions(id) ON DELETE CASCADE,
    priority INTEGER NOT NULL,
    config_json TEXT NOT NULL,
    created_at INTEGER NOT NULL
);
INSERT INTO topic_actions_new (id, org_id, topic_id, action_id, priority, config_json, created_at)
SELECT id, org_id, topic_id, action_id, priority, config_json, created_at FROM topic_actions;
DROP TABLE topic_actions;
ALTER TABLE topic_actions_new RENAME TO topic_actions;
CREATE UNIQUE INDEX ux_topic_actions_combination ON topic_actions(org_id, COALESCE(topic_id, 0), COALESCE(special_topic, ''),
    COALESCE(channel_id, 0), COALESCE(special_channel, ''), action_id);
CREATE INDEX ix_topic_actions_topic ON topic_actions(org_id, topic_id, priority DESC, id);
CREATE INDEX ix_topic_actions_action ON topic_actions(org_id, action_id, id);

-- A hook link may be limited to one channel.
ALTER TABLE hook_actions ADD COLUMN channel_id INTEGER REFERENCES automation_channels(id) ON DELETE CASCADE;
CREATE UNIQUE INDEX ux_hook_actions_combination ON hook_actions(org_id, hook, COALESCE(channel_id, 0), action_id);
CREATE INDEX ix_hook_actions_hook ON hook_actions(org_id, hook, priority DESC, id);
CREATE INDEX ix_hook_actions_action ON hook_actions(org_id, action_id, id);

-- What automations keep on a thread: open or closed, spam, the topics detected, the values actions mapped.
ALTER TABLE threads ADD COLUMN status TEXT NOT NULL DEFAULT 'open';
ALTER TABLE threads ADD COLUMN spam INTEGER NOT NULL DEFAULT 0;
ALTER TABLE threads ADD COLUMN topics_json TEXT;
ALTER TABLE threads ADD COLUMN automation_values_json TEXT;

-- The spam check's verdict on a message: spam, ham or skipped (no spamd configured), and spamd's score and threshold.
ALTER TABLE messages ADD COLUMN spam_verdict TEXT;
ALTER TABLE messages ADD COLUMN spam_score REAL;
ALTER TABLE messages ADD COLUMN spam_threshold REAL;

-- Who has written to an organization: the first message from an address fires OnEndUserAdd.
CREATE TABLE end_users (
    org_id TEXT NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
    address TEXT NOT NULL,
    name TEXT,
    first_seen_at INTEGER NOT NULL,
    PRIMARY KEY (org_id, address)
);

-- Automation work: queued in the transaction that stored the message (or closed the thread), claimed with leases,
-- resumed at its stage and remaining actions after a Wait (due_at) or a crash.
CREATE TABLE automation_jobs (
    id TEXT PRIMARY KEY,
    org_id TEXT NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
    kind TEXT NOT NULL,
    thread_id TEXT,
    message_id TEXT,
    inbox_id TEXT,
    stage INTEGER NOT NULL,
    remaining_json TEXT,
    context_json TEXT,
    state TEXT NOT NULL,
    due_at INTEGER NOT NULL,
    attempts INTEGER NOT NULL,
    lease_owner TEXT,
    lease_until INTEGER,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);
CREATE INDEX ix_automation_jobs_due ON automation_jobs(state, due_at);

-- Every action run: which action, from which hook or topic, on which thread, when, how it ended.
CREATE TABLE action_runs (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    org_id TEXT NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
    action_id INTEGER NOT NULL,
    action_type TEXT NOT NULL,
    hook TEXT,
    topic_id INTEGER,
    thread_id TEXT,
    message_id TEXT,
    job_id TEXT,
    started_at INTEGER NOT NULL,
    finished_at INTEGER,
    outcome TEXT NOT NULL,
    error TEXT,
    http_status INTEGER
);
CREATE INDEX ix_action_runs_thread ON action_runs(org_id, thread_id, id);
CREATE INDEX ix_action_runs_org ON action_runs(org_id, id);
