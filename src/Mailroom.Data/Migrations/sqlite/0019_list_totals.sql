-- Lists whose totals are kept, not counted (issue 16).
-- A webhook's delivery list costs what its page costs: its total is a count on the webhook row, added to in
-- the transaction that queues each delivery (deliveries are deleted only with their webhook), and its page's ids come
-- from an index in the list's order, newest first.
ALTER TABLE webhooks ADD COLUMN delivery_count INTEGER NOT NULL DEFAULT 0;
UPDATE webhooks SET delivery_count = (SELECT COUNT(*) FROM webhook_deliveries d WHERE d.webhook_id = webhooks.id);
DROP INDEX ix_webhook_deliveries_webhook;
CREATE INDEX ix_webhook_deliveries_list ON webhook_deliveries(webhook_id, id DESC, org_id);

-- The organization's action runs (/api/ActionRuns, five rows a message with five hook actions) are counted the same
-- way: added to in the transaction that records them; runs go only with their organization.
ALTER TABLE organizations ADD COLUMN action_run_count INTEGER NOT NULL DEFAULT 0;
UPDATE organizations SET action_run_count = (SELECT COUNT(*) FROM action_runs r WHERE r.org_id = organizations.id);
