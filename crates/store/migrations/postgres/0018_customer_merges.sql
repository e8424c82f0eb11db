-- Merged duplicates: which record was kept, which was folded into it (its id and name at the
-- time), by whom and when. Keep in step with ../sqlite/.

CREATE TABLE customer_merges (
    id UUID PRIMARY KEY,
    organization_id UUID NOT NULL REFERENCES organizations (id),
    kept_id UUID NOT NULL REFERENCES customers (id),
    merged_id UUID NOT NULL,
    merged_name TEXT NOT NULL,
    merged_by UUID REFERENCES users (id),
    merged_at BIGINT NOT NULL
);
CREATE INDEX customer_merges_kept ON customer_merges (organization_id, kept_id);
