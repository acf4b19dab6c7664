-- Search indexing leaves the transaction that stores mail (issue 16, "writes keep their speed"): a stored message is
-- queued here (by trigger, one integer) instead of writing its FTS5 row and its message_terms rows before SMTP's 250.
-- SearchIndexWorker indexes the queue after the commit, in batches, and deletes each queued row in the transaction that
-- indexes its message: a restart loses nothing and indexes nothing twice. SearchAsync finds queued messages with a plain
-- filter over the queue (bounded by the indexer's lag), so search stays exact. A message is indexed exactly when it
-- has no row here. The key is messages' rowid, as message_text's is (see 0016 on VACUUM).
CREATE TABLE message_index_queue (message_rowid INTEGER PRIMARY KEY);

DROP TRIGGER tr_messages_text_insert;
CREATE TRIGGER tr_messages_index_queue AFTER INSERT ON messages BEGIN
    INSERT INTO message_index_queue (message_rowid) VALUES (new.rowid);
END;

-- message_text holds only indexed messages: a queued one has no row there to delete or replace (an external-content
-- table must be told the values it indexed, never a row it does not hold). A deleted message leaves the queue too, so
-- that a later message given the same rowid is queued afresh.
DROP TRIGGER tr_messages_text_delete;
CREATE TRIGGER tr_messages_text_delete AFTER DELETE ON messages BEGIN
    INSERT INTO message_text (message_text, rowid, subject, text_body) SELECT 'delete', old.rowid, old.subject, old.text_body
        WHERE NOT EXISTS (SELECT 1 FROM message_index_queue WHERE message_rowid = old.rowid);
    DELETE FROM message_index_queue WHERE message_rowid = old.rowid;
END;
DROP TRIGGER tr_messages_text_update;
CREATE TRIGGER tr_messages_text_update AFTER UPDATE OF subject, text_body ON messages
    WHEN NOT EXISTS (SELECT 1 FROM message_index_queue WHERE message_rowid = old.rowid) BEGIN
    INSERT INTO message_text (message_text, rowid, subject, text_body) VALUES ('delete', old.rowid, old.subject, old.text_body);
    INSERT INTO message_text (rowid, subject, text_body) VALUES (new.rowid, new.subject, new.text_body);
END;
