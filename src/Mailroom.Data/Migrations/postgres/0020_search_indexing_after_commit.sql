-- Search indexing leaves the transaction that stores mail (issue 16, "writes keep their speed"): a stored message is
-- queued here (by trigger) instead of writing its message_terms rows before SMTP's 250. SearchIndexWorker indexes the
-- queue after the commit, in batches claimed with FOR UPDATE SKIP LOCKED (several servers share the work, each message
-- once), and deletes each queued row in the transaction that indexes its message: a restart loses nothing and indexes
-- nothing twice. SearchAsync finds queued messages with a plain filter over the queue (bounded by the indexer's lag),
-- so search stays exact. A message is indexed exactly when it has no row here. text_vector stays a generated column
-- (docs/benchmarks.md, "Ingest regression: found and fixed").
CREATE TABLE message_index_queue (message_id TEXT PRIMARY KEY REFERENCES messages(id) ON DELETE CASCADE);

CREATE FUNCTION message_index_enqueue() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO message_index_queue (message_id) VALUES (NEW.id);
    RETURN NULL;
END
$$;
CREATE TRIGGER tr_messages_index_queue AFTER INSERT ON messages FOR EACH ROW EXECUTE FUNCTION message_index_enqueue();
