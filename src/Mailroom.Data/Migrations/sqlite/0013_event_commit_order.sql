-- The event stream's order is (tx_id, seq), as on PostgreSQL; SQLite has one writer at a time, so insert order is
-- commit order and tx_id stays 0.
ALTER TABLE events ADD COLUMN tx_id INTEGER NOT NULL DEFAULT 0;
DROP INDEX ix_events_org_seq;
CREATE INDEX ix_events_org_position ON events(org_id, tx_id, seq);
