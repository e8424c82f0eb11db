-- Merged duplicates: which record was kept, which was folded into it (its id and name at the
-- time), by whom and when. Keep in step with ../postgres/.

CREATE TABLE customer_merges (
    id BLOB PRIMARY KEY,
    organization_id BLOB NOT NULL REFERENCES organizations (id),
    kept_id BLOB NOT NULL REFERENCES customers (id),
    merged_id BLOB NOT NULL,
    merged_name TEXT NOT NULL,
    merged_by BLOB REFERENCES users (id),
    merged_at BIGINT NOT NULL
);
CREATE INDEX customer_merges_kept ON customer_merges (organization_id, kept_id);
