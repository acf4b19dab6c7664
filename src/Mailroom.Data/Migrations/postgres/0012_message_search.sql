-- search_messages (the MCP server) looks through all of an organization's messages, newest first, when no inbox is named.
CREATE INDEX ix_messages_org_time ON messages(org_id, timestamp DESC);
