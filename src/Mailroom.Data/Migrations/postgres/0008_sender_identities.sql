-- Sender identities confirmed by email (the MailerSend dialect): an address an organization may send from once the
-- person who holds it has clicked the confirmation link, whether or not its domain is hosted or verified here. It is
-- not an inbox: someone@gmail.com becomes a From address, never a mailbox that receives. domain_id is the
-- organization's sending domain the identity belongs to (whose key signs its mail once that domain is verified).
CREATE TABLE sender_identities (
    id TEXT PRIMARY KEY,
    org_id TEXT NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
    domain_id TEXT NOT NULL REFERENCES domains(id) ON DELETE CASCADE,
    email TEXT NOT NULL,
    email_key TEXT NOT NULL,
    name TEXT NOT NULL,
    reply_to_email TEXT,
    reply_to_name TEXT,
    add_note BOOLEAN NOT NULL,
    personal_note TEXT,
    verified_at BIGINT,
    resends INTEGER NOT NULL,
    confirmation_group_id TEXT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX ux_sender_identities_email ON sender_identities(org_id, email_key);
CREATE INDEX ix_sender_identities_org ON sender_identities(org_id, created_at, id);
CREATE INDEX ix_sender_identities_domain ON sender_identities(org_id, domain_id, created_at, id);

-- Mail an organization sends without an inbox (from a sender identity, from an address on a verified domain, or
-- Mailroom's own confirmation mail) has no inbox_id; sent_as says what it went out as (identity:<id>, domain:<id>,
-- notice), so that delivery finds it and tells it from the mail of a deleted inbox, which no longer goes out.
ALTER TABLE messages ADD COLUMN sent_as TEXT;
