-- Threads marked spam leave the default lists (issue 14's Spam action, on issue 16's flat reads).
-- A message carries its thread's spam flag, copied when the thread is marked or unmarked and inherited by the messages
-- added to a spam thread, so that the message list filters on it through its index like the thread list does.
ALTER TABLE messages ADD COLUMN spam BOOLEAN NOT NULL DEFAULT FALSE;
UPDATE messages SET spam = TRUE WHERE thread_id IN (SELECT id FROM threads WHERE spam);

-- The spam part of the inbox's totals (message_count and thread_count still count everything): the default lists
-- answer total − spam, the spam view the spam counts. Moved in the transaction that marks or unmarks a thread.
ALTER TABLE inboxes ADD COLUMN spam_message_count BIGINT NOT NULL DEFAULT 0;
ALTER TABLE inboxes ADD COLUMN spam_thread_count BIGINT NOT NULL DEFAULT 0;
UPDATE inboxes SET
    spam_message_count = (SELECT COUNT(*) FROM messages m WHERE m.inbox_id = inboxes.id AND m.spam),
    spam_thread_count = (SELECT COUNT(*) FROM threads t WHERE t.inbox_id = inboxes.id AND t.message_count > 0 AND t.spam);

-- The list indexes of 0015 with the flag after the inbox: each view is one range of the index, in list order.
DROP INDEX ix_messages_inbox_list;
CREATE INDEX ix_messages_inbox_list ON messages(inbox_id, spam, timestamp DESC, id DESC, org_id);
DROP INDEX ix_threads_inbox_list;
CREATE INDEX ix_threads_inbox_list ON threads(inbox_id, spam, last_activity_at DESC, id DESC, org_id, message_count);

-- A thread's messages in order, tie-breaker included. On (thread_id, timestamp) SQLite's planner, which has no
-- statistics, took ix_messages_org_time (org_id, timestamp) for a thread's messages (reading the whole organization)
-- and ix_messages_rfc_id or ix_messages_inbox_list (reading the whole inbox) for the counts a thread delete subtracts;
-- with the order whole here, this index is the cheaper one for each.
DROP INDEX ix_messages_thread;
CREATE INDEX ix_messages_thread ON messages(thread_id, timestamp, id);
