-- Bots and apps that call back into Mailroom for approvals: a Telegram bot's webhook (or polled updates) and a Slack
-- app's interactivity requests. A callback names its hook (Telegram: in the webhook URL; Slack: in the button's
-- block id), and the hook holds what checks and answers it, sealed: the bot token and the webhook's secret token,
-- or the Slack signing secret. One row per bot (or signing secret) and organization, whatever the identities using it.
CREATE TABLE chat_approval_hooks (
    id TEXT PRIMARY KEY,
    org_id TEXT NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
    type TEXT NOT NULL,
    account TEXT NOT NULL,
    token_sealed TEXT,
    secret_sealed TEXT NOT NULL,
    poll_offset BIGINT NOT NULL DEFAULT 0,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    UNIQUE (org_id, type, account)
);
CREATE INDEX ix_chat_approval_hooks_type ON chat_approval_hooks(type, id);

-- A Telegram "send the new text" question (ForceReply) waiting for its answer: the reply names the question's message,
-- and this row names the draft, the card it came from (with its text, which the reply does not carry) and the
-- card's button group.
CREATE TABLE telegram_edit_prompts (
    hook_id TEXT NOT NULL REFERENCES chat_approval_hooks(id) ON DELETE CASCADE,
    chat_id BIGINT NOT NULL,
    message_id BIGINT NOT NULL,
    org_id TEXT NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
    draft_id TEXT NOT NULL,
    card_message_id BIGINT NOT NULL,
    card_text TEXT NOT NULL,
    link_group_id TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (hook_id, chat_id, message_id)
);
