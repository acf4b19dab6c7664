-- Search that costs what its page costs (issue 16): search_messages walks indexes instead of LIKE '%x%' over every
-- message of the organization.
--
-- message_terms holds what a search looks up by equality, one row each: the sender's address (field 'from'), each
-- To and Cc address ('to'), each label ('label'). Addresses are bare and in lower case (MessageSearchTerms.Address;
-- lower() here is ASCII-only, as there). MessageRepository writes the rows in the transaction that inserts the
-- message and rewrites the labels' rows in the one that changes them; they go with their message by cascade and
-- follow it out of a deleted inbox (SET NULL, as messages do). timestamp is the message's, so that both indexes
-- answer "newest first, after (timestamp, id)" without visiting messages; inbox_id is checked on messages too.
CREATE TABLE message_terms (
    message_id TEXT NOT NULL REFERENCES messages(id) ON DELETE CASCADE,
    field TEXT NOT NULL,
    term TEXT NOT NULL,
    org_id TEXT NOT NULL,
    inbox_id TEXT REFERENCES inboxes(id) ON DELETE SET NULL,
    timestamp INTEGER NOT NULL,
    PRIMARY KEY (message_id, field, term)
) WITHOUT ROWID;
CREATE INDEX ix_message_terms_org ON message_terms(org_id, field, term, timestamp DESC, message_id DESC);
CREATE INDEX ix_message_terms_inbox ON message_terms(inbox_id, field, term, timestamp DESC, message_id DESC);

-- The bare address: what lies between the first '<' and the next '>', or the whole value; trimmed, in lower case.
INSERT OR IGNORE INTO message_terms (message_id, field, term, org_id, inbox_id, timestamp)
SELECT message_id, field, term, org_id, inbox_id, timestamp FROM (
    SELECT id AS message_id, 'from' AS field, lower(trim(CASE WHEN instr(from_address, '<') > 0 AND instr(substr(from_address, instr(from_address, '<')), '>') > 0
            THEN substr(from_address, instr(from_address, '<') + 1, instr(substr(from_address, instr(from_address, '<')), '>') - 2) ELSE from_address END)) AS term, org_id, inbox_id, timestamp
    FROM messages WHERE from_address IS NOT NULL
    UNION ALL
    SELECT m.id, 'to', lower(trim(CASE WHEN instr(a.value, '<') > 0 AND instr(substr(a.value, instr(a.value, '<')), '>') > 0
            THEN substr(a.value, instr(a.value, '<') + 1, instr(substr(a.value, instr(a.value, '<')), '>') - 2) ELSE a.value END)), m.org_id, m.inbox_id, m.timestamp FROM messages m, json_each(m.to_json) a
    UNION ALL
    SELECT m.id, 'to', lower(trim(CASE WHEN instr(a.value, '<') > 0 AND instr(substr(a.value, instr(a.value, '<')), '>') > 0
            THEN substr(a.value, instr(a.value, '<') + 1, instr(substr(a.value, instr(a.value, '<')), '>') - 2) ELSE a.value END)), m.org_id, m.inbox_id, m.timestamp FROM messages m, json_each(m.cc_json) a WHERE m.cc_json IS NOT NULL
) WHERE term <> '';

INSERT OR IGNORE INTO message_terms (message_id, field, term, org_id, inbox_id, timestamp)
SELECT m.id, 'label', l.value, m.org_id, m.inbox_id, m.timestamp FROM messages m, json_each(m.labels_json) l;

-- Subject and text body in FTS5, an external-content table over messages keyed by messages' rowid: the text is not
-- stored twice. The tokenizer makes the words MessageSearchTerms.Words makes (runs of letters and digits, case
-- folded, accents kept). Triggers keep it in step with every insert and delete, cascades included (a thread's or an
-- inbox's mail, an organization). The key is the implicit rowid: a migration that rebuilds messages (copy, drop,
-- rename) must recreate these triggers and run INSERT INTO message_text(message_text) VALUES ('rebuild'), as must
-- anyone who runs VACUUM, which may renumber rowids.
CREATE VIRTUAL TABLE message_text USING fts5(subject, text_body, content='messages', tokenize='unicode61 remove_diacritics 0');
INSERT INTO message_text(message_text) VALUES ('rebuild');
CREATE TRIGGER tr_messages_text_insert AFTER INSERT ON messages BEGIN
    INSERT INTO message_text(rowid, subject, text_body) VALUES (new.rowid, new.subject, new.text_body);
END;
CREATE TRIGGER tr_messages_text_delete AFTER DELETE ON messages BEGIN
    INSERT INTO message_text(message_text, rowid, subject, text_body) VALUES ('delete', old.rowid, old.subject, old.text_body);
END;
CREATE TRIGGER tr_messages_text_update AFTER UPDATE OF subject, text_body ON messages BEGIN
    INSERT INTO message_text(message_text, rowid, subject, text_body) VALUES ('delete', old.rowid, old.subject, old.text_body);
    INSERT INTO message_text(rowid, subject, text_body) VALUES (new.rowid, new.subject, new.text_body);
END;
