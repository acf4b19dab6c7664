-- The event stream's order: the writing transaction's id, then the sequence number. Sequence numbers are taken at
-- insert, so a later number can commit first; a reader that reads only ended transactions (those below the oldest one
-- still running) in (tx_id, seq) order can never have an event join behind its position. Earlier rows keep 0: they
-- are all committed and come first.
ALTER TABLE events ADD COLUMN tx_id BIGINT NOT NULL DEFAULT 0;
ALTER TABLE events ALTER COLUMN tx_id SET DEFAULT (pg_current_xact_id()::text::bigint);
DROP INDEX ix_events_org_seq;
CREATE INDEX ix_events_org_position ON events(org_id, tx_id, seq);
