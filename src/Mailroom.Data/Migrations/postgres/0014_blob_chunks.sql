-- Blobs over the inline limit, on PostgreSQL: in the database, so that every node of a cluster reads what any node
-- stored, in fixed-size chunks (ChunkedBlobStore.ChunkSize; the last one shorter), so that no message is ever one buffer.
CREATE TABLE blob_chunks (
    key TEXT NOT NULL,
    n INTEGER NOT NULL,
    data BYTEA NOT NULL,
    PRIMARY KEY (key, n)
);
-- Chunks are compressed poorly (mail is mostly base64) and read whole: store them out of line without compression.
ALTER TABLE blob_chunks ALTER COLUMN data SET STORAGE EXTERNAL;
