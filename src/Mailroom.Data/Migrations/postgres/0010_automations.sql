-- Automations (issue 14): actions linked to topics and hooks, run by a leased job queue on the mail that arrives.
-- An action keeps the spec's fields in config_json and its outbound password and token sealed in secrets_sealed (0001).

-- Topics: keywords and further detection rules (phrases, patterns, senders), and whether they are active.
ALTER TABLE topics ADD COLUMN keywords_json TEXT NOT NULL DEFAULT '[]';
ALTER TABLE topics ADD COLUMN rules_json TEXT NOT NULL DEFAULT '{}';
ALTER TABLE topics ADD COLUMN is_active BOOLEAN NOT NULL DEFAULT TRUE;
CREATE INDEX ix_topics_org ON topics(org_id, name);

-- Integer ids for what the automation dialect calls channels: an inbox today, a phone number later (kind, target_id).
CREATE TABLE automation_channels (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    org_id TEXT NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
    kind TEXT NOT NULL,
    target_id TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    UNIQUE (kind, target_id)
);
CREATE INDEX ix_automation_channels_org ON automation_channels(org_id, id);

-- The integer the automation dialect shows as customerID for an organization.
CREATE TABLE automation_customers (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    org_id TEXT NOT NULL UNIQUE REFERENCES organizations(id) ON DELETE CASCADE
);

-- A topic link may name a special topic instead of a topic, and a channel (or special channel); one combination once.
ALTER TABLE topic_actions ALTER COLUMN topic_id DROP NOT NULL;
ALTER TABLE topic_actions ADD COLUMN special_topic TEXT;
ALTER TABLE topic_actions ADD COLUMN document_id BIGINT NOT NULL DEFAULT 0;
ALTER TABLE topic_actions ADD COLUMN channel_id BIGINT REFERENCES automation_channels(id) ON DELETE CASCADE;
ALTER TABLE topic_actions ADD COLUMN special_channel TEXT;
CREATE UNIQUE INDEX ux_topic_actions_combination ON topic_actions(org_id, COALESCE(topic_id, 0), COALESCE(special_topic, ''),
    COALESCE(channel_id, 0), COALESCE(special_channel, ''), action_id);
CREATE INDEX ix_topic_actions_topic ON topic_actions(org_id, topic_id, priority DESC, id);
CREATE INDEX ix_topic_actions_action ON topic_actions(org_id, action_id, id);

-- A hook link may be limited to one channel.
ALTER TABLE hook_actions ADD COLUMN channel_id BIGINT REFERENCES automation_channels(id) ON DELETE CASCADE;
CREATE UNIQUE INDEX ux_hook_actions_combination ON hook_actions(org_id, hook, COALESCE(channel_id, 0), action_id);
CREATE INDEX ix_hook_actions_hook ON hook_actions(org_id, hook, priority DESC, id);
CREATE INDEX ix_hook_actions_action ON hook_actions(org_id, action_id, id);

-- What automations keep on a thread: open or closed, spam, the topics detected, the values actions mapped.
ALTER TABLE threads ADD COLUMN status TEXT NOT NULL DEFAULT 'open';
ALTER TABLE threads ADD COLUMN spam BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE threads ADD COLUMN topics_json TEXT;
ALTER TABLE threads ADD COLUMN automation_values_json TEXT;

-- The spam check's verdict on a message: spam, ham or skipped (no spamd configured), and spamd's score and threshold.
ALTER TABLE messages ADD COLUMN spam_verdict TEXT;
ALTER TABLE messages ADD COLUMN spam_score DOUBLE PRECISION;
ALTER TABLE messages ADD COLUMN spam_threshold DOUBLE PRECISION;

-- Who has written to an organization: the first message from an address fires OnEndUserAdd.
CREATE TABLE end_users (
    org_id TEXT NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
    address TEXT NOT NULL,
    name TEXT,
    first_seen_at BIGINT NOT NULL,
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
    stage BIGINT NOT NULL,
    remaining_json TEXT,
    context_json TEXT,
    state TEXT NOT NULL,
    due_at BIGINT NOT NULL,
    attempts BIGINT NOT NULL,
    lease_owner TEXT,
    lease_until BIGINT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX ix_automation_jobs_due ON automation_jobs(state, due_at);

-- Every action run: which action, from which hook or topic, on which thread, when, how it ended.
CREATE TABLE action_runs (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    org_id TEXT NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
    action_id BIGINT NOT NULL,
    action_type TEXT NOT NULL,
    hook TEXT,
    topic_id BIGINT,
    thread_id TEXT,
    message_id TEXT,
    job_id TEXT,
    started_at BIGINT NOT NULL,
    finished_at BIGINT,
    outcome TEXT NOT NULL,
    error TEXT,
    http_status BIGINT
);
CREATE INDEX ix_action_runs_thread ON action_runs(org_id, thread_id, id);
CREATE INDEX ix_action_runs_org ON action_runs(org_id, id);
