-- Reads that cost what their page costs (issue 16).
-- The inbox keeps its totals: the v0 lists answered each page with a COUNT(*) over the whole inbox. The repositories
-- add to them in the transaction that inserts a message or a thread and subtract in the one that deletes them, with
-- UPDATE ... SET n = n + k, so concurrent writers never lose a count. thread_count counts the threads a list shows
-- (message_count > 0).
ALTER TABLE inboxes ADD COLUMN message_count BIGINT NOT NULL DEFAULT 0;
ALTER TABLE inboxes ADD COLUMN thread_count BIGINT NOT NULL DEFAULT 0;
UPDATE inboxes SET
    message_count = (SELECT COUNT(*) FROM messages m WHERE m.inbox_id = inboxes.id),
    thread_count = (SELECT COUNT(*) FROM threads t WHERE t.inbox_id = inboxes.id AND t.message_count > 0);

-- Each list's filter and order, tie-breaker included, and the columns its page query reads (id, org_id, and for
-- threads message_count), so that a page's ids come from the index alone and a deep offset skips index entries, not
-- table rows. They replace the indexes on (inbox_id, time), whose prefix they keep for the queries that used those.
DROP INDEX ix_messages_inbox_time;
CREATE INDEX ix_messages_inbox_list ON messages(inbox_id, timestamp DESC, id DESC, org_id);
DROP INDEX ix_threads_inbox_activity;
CREATE INDEX ix_threads_inbox_list ON threads(inbox_id, last_activity_at DESC, id DESC, org_id, message_count);
