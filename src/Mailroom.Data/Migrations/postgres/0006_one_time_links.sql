-- Links people click in mail (approve or reject a draft, confirm a sender address): each acts once, before it
-- expires. The token in the link is signed (see OneTimeLinks); this row makes it single-use, and links issued together
-- (a draft's approve and reject links) share a group so that using one voids the others.
CREATE TABLE one_time_links (
    id TEXT PRIMARY KEY,
    org_id TEXT NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
    purpose TEXT NOT NULL,
    subject_id TEXT NOT NULL,
    action TEXT NOT NULL,
    group_id TEXT NOT NULL,
    expires_at BIGINT NOT NULL,
    used_at BIGINT,
    created_at BIGINT NOT NULL
);
CREATE INDEX ix_one_time_links_group ON one_time_links(group_id);
