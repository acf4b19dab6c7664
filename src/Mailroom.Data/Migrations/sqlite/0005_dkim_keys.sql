-- The DKIM keys the cluster signs with for domains that have no row of their own (the platform domain): one per
-- domain, sealed with the master key, inserted by whichever node needs it first, so every node signs with the key
-- that is published.
CREATE TABLE dkim_keys (
    domain TEXT PRIMARY KEY,
    selector TEXT NOT NULL,
    private_key_sealed TEXT NOT NULL,
    created_at INTEGER NOT NULL
);
