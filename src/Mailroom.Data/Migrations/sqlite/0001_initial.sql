-- The whole core model. Times are Unix milliseconds (UTC); lists and maps are JSON text.
-- Every row that belongs to a customer carries org_id, and every query filters on it.

CREATE TABLE organizations (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    inbox_limit INTEGER NOT NULL,
    domain_limit INTEGER NOT NULL,
    identity_limit INTEGER,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);

CREATE TABLE api_keys (
    id TEXT PRIMARY KEY,
    org_id TEXT NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    prefix TEXT NOT NULL,
    key_hash TEXT NOT NULL UNIQUE,
    scopes TEXT NOT NULL,
    inbox_id TEXT,
    used_at INTEGER,
    created_at INTEGER NOT NULL
);
CREATE INDEX ix_api_keys_org ON api_keys(org_id, id);

CREATE TABLE domains (
    id TEXT PRIMARY KEY,
    org_id TEXT NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
    name TEXT NOT NULL UNIQUE,
    status TEXT NOT NULL,
    feedback_enabled INTEGER NOT NULL,
    dkim_selector TEXT NOT NULL,
    dkim_public_key TEXT NOT NULL,
    dkim_private_key_sealed TEXT NOT NULL,
    records_json TEXT NOT NULL,
    verified_at INTEGER,
    last_checked_at INTEGER,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);
CREATE INDEX ix_domains_org ON domains(org_id, name);

-- Approval channels (Slack, Telegram, one-click email) and automation channels.
CREATE TABLE channels (
    id TEXT PRIMARY KEY,
    org_id TEXT NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
    type TEXT NOT NULL,
    name TEXT,
    config_sealed TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);

CREATE TABLE inboxes (
    id TEXT PRIMARY KEY,
    org_id TEXT NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
    username TEXT NOT NULL,
    domain TEXT NOT NULL,
    address_key TEXT NOT NULL UNIQUE,
    display_name TEXT,
    client_id TEXT,
    status TEXT NOT NULL,
    signature_text TEXT,
    signature_html TEXT,
    reply_to TEXT,
    thread_history_depth INTEGER NOT NULL,
    can_send_cold INTEGER NOT NULL,
    auto_approve_replies INTEGER NOT NULL,
    requires_approval INTEGER NOT NULL,
    primary_channel_id TEXT REFERENCES channels(id) ON DELETE SET NULL,
    secondary_channel_id TEXT REFERENCES channels(id) ON DELETE SET NULL,
    escalation_delay_seconds INTEGER,
    email_confirmation_state TEXT,
    email_confirmation_token_hash TEXT,
    agent_id TEXT,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);
CREATE INDEX ix_inboxes_org ON inboxes(org_id, id);
CREATE UNIQUE INDEX ux_inboxes_client_id ON inboxes(org_id, client_id) WHERE client_id IS NOT NULL;
CREATE INDEX ix_inboxes_domain ON inboxes(domain);

CREATE TABLE phone_numbers (
    id TEXT PRIMARY KEY,
    org_id TEXT NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
    e164 TEXT NOT NULL UNIQUE,
    agent_id TEXT,
    created_at INTEGER NOT NULL
);

-- An agent handle owns at most one inbox and one phone number; each channel belongs to one agent.
CREATE TABLE agents (
    id TEXT PRIMARY KEY,
    org_id TEXT NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
    handle TEXT NOT NULL,
    display_name TEXT,
    inbox_id TEXT UNIQUE REFERENCES inboxes(id) ON DELETE SET NULL,
    phone_number_id TEXT UNIQUE REFERENCES phone_numbers(id) ON DELETE SET NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    UNIQUE (org_id, handle)
);

CREATE TABLE threads (
    id TEXT PRIMARY KEY,
    org_id TEXT NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
    inbox_id TEXT NOT NULL REFERENCES inboxes(id) ON DELETE CASCADE,
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
    updated_at INTEGER NOT NULL
);
CREATE INDEX ix_threads_inbox_activity ON threads(inbox_id, last_activity_at DESC);

CREATE TABLE messages (
    id TEXT PRIMARY KEY,
    org_id TEXT NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
    inbox_id TEXT NOT NULL REFERENCES inboxes(id) ON DELETE CASCADE,
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
CREATE INDEX ix_messages_inbox_time ON messages(inbox_id, timestamp DESC);
CREATE INDEX ix_messages_thread ON messages(thread_id, timestamp);
CREATE INDEX ix_messages_rfc_id ON messages(inbox_id, rfc_message_id);
CREATE UNIQUE INDEX ux_messages_spool ON messages(inbox_id, spool_id) WHERE spool_id IS NOT NULL;

CREATE TABLE attachments (
    id TEXT PRIMARY KEY,
    org_id TEXT NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
    message_id TEXT NOT NULL REFERENCES messages(id) ON DELETE CASCADE,
    filename TEXT,
    content_type TEXT NOT NULL,
    content_disposition TEXT,
    content_id TEXT,
    size INTEGER NOT NULL,
    blob_key TEXT NOT NULL,
    created_at INTEGER NOT NULL
);
CREATE INDEX ix_attachments_message ON attachments(message_id);

-- Outbound mail waiting for a person: state pending, stale, approved, rejected, sent, failed.
CREATE TABLE drafts (
    id TEXT PRIMARY KEY,
    org_id TEXT NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
    inbox_id TEXT NOT NULL REFERENCES inboxes(id) ON DELETE CASCADE,
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
CREATE INDEX ix_drafts_inbox_state ON drafts(inbox_id, state);
CREATE INDEX ix_drafts_escalation ON drafts(state, escalation_due_at);

CREATE TABLE draft_versions (
    draft_id TEXT NOT NULL REFERENCES drafts(id) ON DELETE CASCADE,
    version INTEGER NOT NULL,
    payload_json TEXT NOT NULL,
    edited_by TEXT,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (draft_id, version)
);

CREATE TABLE webhooks (
    id TEXT PRIMARY KEY,
    org_id TEXT NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
    url TEXT NOT NULL,
    event_types_json TEXT NOT NULL,
    inbox_ids_json TEXT NOT NULL,
    enabled INTEGER NOT NULL,
    client_id TEXT,
    secret_sealed TEXT NOT NULL,
    failing_since INTEGER,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);
CREATE INDEX ix_webhooks_org ON webhooks(org_id, id);

-- The outbox: every announced change, in commit order per node; seq drives the event stream.
CREATE TABLE events (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    id TEXT NOT NULL UNIQUE,
    org_id TEXT NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
    type TEXT NOT NULL,
    inbox_id TEXT,
    payload_json TEXT NOT NULL,
    created_at INTEGER NOT NULL
);
CREATE INDEX ix_events_org_seq ON events(org_id, seq);

CREATE TABLE webhook_deliveries (
    id TEXT PRIMARY KEY,
    org_id TEXT NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
    webhook_id TEXT NOT NULL REFERENCES webhooks(id) ON DELETE CASCADE,
    event_id TEXT NOT NULL REFERENCES events(id) ON DELETE CASCADE,
    status TEXT NOT NULL,
    attempts INTEGER NOT NULL,
    next_attempt_at INTEGER NOT NULL,
    lease_owner TEXT,
    lease_until INTEGER,
    last_status_code INTEGER,
    last_error TEXT,
    delivered_at INTEGER,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);
CREATE INDEX ix_webhook_deliveries_due ON webhook_deliveries(status, next_attempt_at);
CREATE INDEX ix_webhook_deliveries_webhook ON webhook_deliveries(webhook_id, created_at DESC);

CREATE TABLE webhook_attempts (
    id TEXT PRIMARY KEY,
    delivery_id TEXT NOT NULL REFERENCES webhook_deliveries(id) ON DELETE CASCADE,
    attempted_at INTEGER NOT NULL,
    status_code INTEGER,
    latency_ms INTEGER NOT NULL,
    error TEXT
);
CREATE INDEX ix_webhook_attempts_delivery ON webhook_attempts(delivery_id, attempted_at);

-- Mail accepted by SMTP and made durable before the 250, waiting to be parsed and routed.
CREATE TABLE inbound_spool (
    id TEXT PRIMARY KEY,
    envelope_json TEXT NOT NULL,
    blob_key TEXT NOT NULL,
    state TEXT NOT NULL,
    attempts INTEGER NOT NULL,
    lease_owner TEXT,
    lease_until INTEGER,
    last_error TEXT,
    received_at INTEGER NOT NULL
);
CREATE INDEX ix_inbound_spool_state ON inbound_spool(state, received_at);

-- One row per outbound message and recipient domain route; claimed with leases by delivery workers.
CREATE TABLE outbound_deliveries (
    id TEXT PRIMARY KEY,
    org_id TEXT NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
    message_id TEXT NOT NULL REFERENCES messages(id) ON DELETE CASCADE,
    mail_from TEXT NOT NULL,
    recipients_json TEXT NOT NULL,
    status TEXT NOT NULL,
    attempts INTEGER NOT NULL,
    next_attempt_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    lease_owner TEXT,
    lease_until INTEGER,
    last_reply TEXT,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);
CREATE INDEX ix_outbound_deliveries_due ON outbound_deliveries(status, next_attempt_at);

CREATE TABLE delivery_attempts (
    id TEXT PRIMARY KEY,
    delivery_id TEXT NOT NULL REFERENCES outbound_deliveries(id) ON DELETE CASCADE,
    attempted_at INTEGER NOT NULL,
    host TEXT,
    reply_code INTEGER,
    reply_text TEXT,
    outcome TEXT NOT NULL
);
CREATE INDEX ix_delivery_attempts_delivery ON delivery_attempts(delivery_id, attempted_at);

-- Replays of POSTs that carried an Idempotency-Key (or a client_id) return the first answer.
CREATE TABLE idempotency_keys (
    org_id TEXT NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
    scope TEXT NOT NULL,
    key TEXT NOT NULL,
    response_json TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (org_id, scope, key)
);

-- Automations: reusable actions linked to topics and to workflow hooks.
CREATE TABLE actions (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    org_id TEXT NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    description TEXT,
    action_type TEXT NOT NULL,
    config_json TEXT NOT NULL,
    secrets_sealed TEXT,
    is_active INTEGER NOT NULL,
    is_function_tool INTEGER NOT NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);
CREATE INDEX ix_actions_org ON actions(org_id, name);

CREATE TABLE topics (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    org_id TEXT NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    description TEXT,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);

CREATE TABLE topic_actions (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    org_id TEXT NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
    topic_id INTEGER NOT NULL REFERENCES topics(id) ON DELETE CASCADE,
    action_id INTEGER NOT NULL REFERENCES actions(id) ON DELETE CASCADE,
    priority INTEGER NOT NULL,
    config_json TEXT NOT NULL,
    created_at INTEGER NOT NULL
);

CREATE TABLE hook_actions (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    org_id TEXT NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
    hook TEXT NOT NULL,
    action_id INTEGER NOT NULL REFERENCES actions(id) ON DELETE CASCADE,
    priority INTEGER NOT NULL,
    config_json TEXT NOT NULL,
    created_at INTEGER NOT NULL
);
