-- Search that costs what its page costs (issue 16): search_messages walks indexes instead of LIKE '%x%' over every
-- message of the organization.
--
-- message_terms holds what a search looks up by equality, one row each: the sender's address (field 'from'), each
-- To and Cc address ('to'), each label ('label'). Addresses are bare and in lower case (MessageSearchTerms.Address;
-- ASCII letters only, as there and on SQLite). MessageRepository writes the rows in the transaction that inserts the
-- message and rewrites the labels' rows in the one that changes them; they go with their message by cascade and
-- follow it out of a deleted inbox (SET NULL, as messages do). timestamp is the message's, so that both indexes
-- answer "newest first, after (timestamp, id)" without visiting messages; inbox_id is checked on messages too.
CREATE TABLE message_terms (
    message_id TEXT NOT NULL REFERENCES messages(id) ON DELETE CASCADE,
    field TEXT NOT NULL,
    term TEXT NOT NULL,
    org_id TEXT NOT NULL,
    inbox_id TEXT REFERENCES inboxes(id) ON DELETE SET NULL,
    timestamp BIGINT NOT NULL,
    PRIMARY KEY (message_id, field, term)
);
CREATE INDEX ix_message_terms_org ON message_terms(org_id, field, term, timestamp DESC, message_id DESC);
CREATE INDEX ix_message_terms_inbox ON message_terms(inbox_id, field, term, timestamp DESC, message_id DESC);

-- The bare address: what lies between the first '<' and the next '>', or the whole value; trimmed, in lower case.
INSERT INTO message_terms (message_id, field, term, org_id, inbox_id, timestamp)
SELECT message_id, field, term, org_id, inbox_id, timestamp FROM (
    SELECT id AS message_id, 'from' AS field, translate(btrim(CASE WHEN strpos(from_address, '<') > 0 AND strpos(substr(from_address, strpos(from_address, '<')), '>') > 0
            THEN substr(from_address, strpos(from_address, '<') + 1, strpos(substr(from_address, strpos(from_address, '<')), '>') - 2) ELSE from_address END), 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz') AS term, org_id, inbox_id, timestamp
    FROM messages WHERE from_address IS NOT NULL
    UNION ALL
    SELECT m.id, 'to', translate(btrim(CASE WHEN strpos(a.value, '<') > 0 AND strpos(substr(a.value, strpos(a.value, '<')), '>') > 0
            THEN substr(a.value, strpos(a.value, '<') + 1, strpos(substr(a.value, strpos(a.value, '<')), '>') - 2) ELSE a.value END), 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz'), m.org_id, m.inbox_id, m.timestamp FROM messages m, jsonb_array_elements_text(m.to_json::jsonb) a
    UNION ALL
    SELECT m.id, 'to', translate(btrim(CASE WHEN strpos(a.value, '<') > 0 AND strpos(substr(a.value, strpos(a.value, '<')), '>') > 0
            THEN substr(a.value, strpos(a.value, '<') + 1, strpos(substr(a.value, strpos(a.value, '<')), '>') - 2) ELSE a.value END), 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz'), m.org_id, m.inbox_id, m.timestamp
    FROM messages m, jsonb_array_elements_text(CASE WHEN m.cc_json IS NULL OR m.cc_json = 'null' THEN '[]' ELSE m.cc_json END::jsonb) a
    UNION ALL
    SELECT m.id, 'label', l.value, m.org_id, m.inbox_id, m.timestamp FROM messages m, jsonb_array_elements_text(m.labels_json::jsonb) l
) terms WHERE term <> ''
ON CONFLICT DO NOTHING;

-- Subject and text body as a stored tsvector with a GIN index, configuration 'simple' (no stemming, no stop words).
-- Stored rather than an expression index: the planner then has statistics for each word (a rare word takes the GIN
-- index, a common one walks the time order and checks each row cheaply) and a check never recomputes the vector (an
-- expression index left the planner guessing, and a rare word then cost a to_tsvector per message: 35 s at 100,000).
-- Punctuation becomes spaces first, so that the words are those of MessageSearchTerms.Words and of SQLite's FTS5 (the
-- default parser would keep "alice@example.com" or "example.com" as one word). Only the first 100,000 characters of
-- the body are indexed: a tsvector holds at most 1 MB. Generated, so every insert fills it; adding it rewrites the table.
ALTER TABLE messages ADD COLUMN text_vector tsvector GENERATED ALWAYS AS (
    to_tsvector('simple'::regconfig, regexp_replace(coalesce(subject, '') || ' ' || left(coalesce(text_body, ''), 100000), '[^[:alnum:]]+', ' ', 'g'))) STORED;
CREATE INDEX ix_messages_text ON messages USING GIN (text_vector);
