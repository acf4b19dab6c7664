-- Small blobs (raw messages and attachments up to the inline limit) live in the database: one row instead of one
-- file each, written in the transaction that references them.
CREATE TABLE blobs (
    key TEXT PRIMARY KEY,
    data BYTEA NOT NULL,
    created_at BIGINT NOT NULL
);
