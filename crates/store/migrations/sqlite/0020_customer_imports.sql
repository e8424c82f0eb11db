-- Customer spreadsheets being imported (seed 003): the file as uploaded, how its columns map,
-- the last dry run's report (JSON), and, once imported, how many customers it created and
-- updated. Kept so the errors file can be downloaded and the import confirmed later, from
-- any server. Keep in step with ../postgres/.

CREATE TABLE customer_imports (
    id BLOB PRIMARY KEY,
    organization_id BLOB NOT NULL REFERENCES organizations (id),
    created_by BLOB REFERENCES users (id),
    created_at BIGINT NOT NULL,
    filename TEXT NOT NULL,
    content BYTEA NOT NULL,
    -- JSON: one target per file column
    mapping TEXT NOT NULL,
    update_existing BOOLEAN NOT NULL,
    report TEXT,
    imported_at BIGINT,
    created_count BIGINT NOT NULL DEFAULT 0,
    updated_count BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX customer_imports_organization ON customer_imports (organization_id, created_at);

-- An imported row updates the customer with its e-mail.
CREATE INDEX customers_org_email ON customers (organization_id, email);
