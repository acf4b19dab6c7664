-- Agent handles with a status, phone numbers bought from (or imported at) an SMS carrier, and the SMS sent and
-- received through them. The agents table stays the one link between an agent and its channels: its unique
-- inbox_id and phone_number_id columns make the database refuse a channel to a second agent, however requests race.
ALTER TABLE agents ADD COLUMN status TEXT NOT NULL DEFAULT 'active';
CREATE INDEX ix_agents_org ON agents(org_id, id);

ALTER TABLE phone_numbers ADD COLUMN number_type TEXT NOT NULL DEFAULT 'local';
ALTER TABLE phone_numbers ADD COLUMN status TEXT NOT NULL DEFAULT 'active';
ALTER TABLE phone_numbers ADD COLUMN carrier TEXT NOT NULL DEFAULT 'twilio';
ALTER TABLE phone_numbers ADD COLUMN carrier_sid TEXT;
ALTER TABLE phone_numbers ADD COLUMN incoming_call_action TEXT NOT NULL DEFAULT 'auto_reject';
ALTER TABLE phone_numbers ADD COLUMN client_websocket_url TEXT;
ALTER TABLE phone_numbers ADD COLUMN incoming_call_webhook_url TEXT;
ALTER TABLE phone_numbers ADD COLUMN updated_at INTEGER NOT NULL DEFAULT 0;
CREATE INDEX ix_phone_numbers_org ON phone_numbers(org_id, id);

-- One row per SMS, both directions; remote_number is the other party, so a number's conversations are one index range.
-- carrier_sid (Twilio's MessageSid) is unique: the carrier retries an inbound webhook, and the retry finds the row.
CREATE TABLE sms_messages (
    id TEXT PRIMARY KEY,
    org_id TEXT NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
    phone_number_id TEXT NOT NULL REFERENCES phone_numbers(id) ON DELETE CASCADE,
    direction TEXT NOT NULL,
    local_number TEXT NOT NULL,
    remote_number TEXT NOT NULL,
    text TEXT NOT NULL,
    status TEXT NOT NULL,
    carrier_sid TEXT UNIQUE,
    error TEXT,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);
CREATE INDEX ix_sms_messages_conversations ON sms_messages(phone_number_id, remote_number, id);

-- A mailbox's webhook_url is a webhook the organization holds under the client id "mailbox:<inbox id>".
CREATE INDEX ix_webhooks_client_id ON webhooks(org_id, client_id) WHERE client_id IS NOT NULL;
