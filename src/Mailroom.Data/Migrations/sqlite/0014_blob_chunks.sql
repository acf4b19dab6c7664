-- Nothing on SQLite: blob chunks are for PostgreSQL clusters. A SQLite database belongs to one node, whose blobs over
-- the inline limit stay files in its data folder.
SELECT 1;
