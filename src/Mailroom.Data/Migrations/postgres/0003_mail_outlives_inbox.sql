-- Mail may outlive its inbox: an identity deleted through the identities API keeps its threads, messages and drafts.
-- inbox_id becomes nullable with ON DELETE SET NULL on threads, messages and drafts, and a thread keeps the address
-- of its inbox in inbox_address (filled here from the inbox; a thread whose inbox is missing stops the migration).

ALTER TABLE threads ADD COLUMN inbox_address TEXT;
UPDATE threads t SET inbox_address = i.username || '@' || i.domain FROM inboxes i WHERE i.id = t.inbox_id;
ALTER TABLE threads ALTER COLUMN inbox_address SET NOT NULL;

ALTER TABLE threads ALTER COLUMN inbox_id DROP NOT NULL;
ALTER TABLE threads DROP CONSTRAINT threads_inbox_id_fkey;
ALTER TABLE threads ADD CONSTRAINT threads_inbox_id_fkey FOREIGN KEY (inbox_id) REFERENCES inboxes(id) ON DELETE SET NULL;

ALTER TABLE messages ALTER COLUMN inbox_id DROP NOT NULL;
ALTER TABLE messages DROP CONSTRAINT messages_inbox_id_fkey;
ALTER TABLE messages ADD CONSTRAINT messages_inbox_id_fkey FOREIGN KEY (inbox_id) REFERENCES inboxes(id) ON DELETE SET NULL;

ALTER TABLE drafts ALTER COLUMN inbox_id DROP NOT NULL;
ALTER TABLE drafts DROP CONSTRAINT drafts_inbox_id_fkey;
ALTER TABLE drafts ADD CONSTRAINT drafts_inbox_id_fkey FOREIGN KEY (inbox_id) REFERENCES inboxes(id) ON DELETE SET NULL;

-- Deleting messages cascades to their outbound deliveries: without this index each deleted message scans the queue.
CREATE INDEX ix_outbound_deliveries_message ON outbound_deliveries(message_id);
