-- Catalogue: ticket types (the seeds' "ressources") and extras ("options"), with the same
-- settings; offers will price them. Keep in step with ../postgres/ (same versions; a test compares the resulting schemas).

CREATE TABLE ticket_types (
    id BLOB PRIMARY KEY,
    organization_id BLOB NOT NULL REFERENCES organizations (id),
    vat_rate_id BLOB NOT NULL REFERENCES vat_rates (id),
    name TEXT NOT NULL,
    name_nl TEXT,
    name_en TEXT,
    description TEXT,
    description_nl TEXT,
    description_en TEXT,
    sale_pos BOOLEAN NOT NULL,
    sale_online BOOLEAN NOT NULL,
    daily_stock BIGINT NOT NULL,
    capacity BIGINT,
    minimum_age INTEGER,
    pictogram TEXT,
    position INTEGER NOT NULL,
    archived_at BIGINT,
    created_at BIGINT NOT NULL
);
CREATE INDEX ticket_types_organization ON ticket_types (organization_id, position);

CREATE TABLE extras (
    id BLOB PRIMARY KEY,
    organization_id BLOB NOT NULL REFERENCES organizations (id),
    vat_rate_id BLOB NOT NULL REFERENCES vat_rates (id),
    name TEXT NOT NULL,
    name_nl TEXT,
    name_en TEXT,
    description TEXT,
    description_nl TEXT,
    description_en TEXT,
    sale_pos BOOLEAN NOT NULL,
    sale_online BOOLEAN NOT NULL,
    daily_stock BIGINT NOT NULL,
    capacity BIGINT,
    minimum_age INTEGER,
    pictogram TEXT,
    position INTEGER NOT NULL,
    archived_at BIGINT,
    created_at BIGINT NOT NULL
);
CREATE INDEX extras_organization ON extras (organization_id, position);
