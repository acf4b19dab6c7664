-- The newest messages of a thread, read without reading the thread (issue 14): a draft checks the newest inbound
-- message against the one it answers, and a thread's history shows its newest few. The index orders a thread's
-- messages as those reads do (timestamp, then id, newest first) and serves the whole thread oldest first as well,
-- read backwards, so it replaces ix_messages_thread, whose prefix it keeps.
DROP INDEX ix_messages_thread;
CREATE INDEX ix_messages_thread_latest ON messages(thread_id, timestamp DESC, id DESC);

-- A draft filed inside another transaction (an automation's Reply, in its job's batch) is announced on its approval
-- channel after that commit, by the approval scheduler: the due time is kept here so that a crash in between loses no
-- announcement, and a claim (clearing it) makes each announcement happen once.
ALTER TABLE drafts ADD COLUMN announce_due_at INTEGER;
CREATE INDEX ix_drafts_announce ON drafts(announce_due_at) WHERE announce_due_at IS NOT NULL;
