-- Planning: per-session overrides (capacity changed, session closed), stop-sales over date
-- ranges for offers or ticket types, and the per-session and per-day sales counters that
-- the register and online sales will update in their transactions (conditional UPDATE:
-- the capacity check and the decrement are one statement). Keep in step with ../postgres/ (same versions; a test compares the resulting schemas).

CREATE TABLE session_overrides (
    organization_id BLOB NOT NULL REFERENCES organizations (id),
    offer_id BLOB NOT NULL REFERENCES offers (id),
    session_start BIGINT NOT NULL,
    capacity BIGINT,
    closed BOOLEAN NOT NULL,
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (organization_id, offer_id, session_start)
);

CREATE TABLE session_counts (
    organization_id BLOB NOT NULL REFERENCES organizations (id),
    offer_id BLOB NOT NULL REFERENCES offers (id),
    session_start BIGINT NOT NULL,
    sold BIGINT NOT NULL,
    held BIGINT NOT NULL,
    PRIMARY KEY (organization_id, offer_id, session_start)
);

CREATE TABLE item_day_counts (
    organization_id BLOB NOT NULL REFERENCES organizations (id),
    item_id BLOB NOT NULL,
    day TEXT NOT NULL,
    sold BIGINT NOT NULL,
    PRIMARY KEY (organization_id, item_id, day)
);

CREATE TABLE stop_sales (
    id BLOB PRIMARY KEY,
    organization_id BLOB NOT NULL REFERENCES organizations (id),
    offer_id BLOB REFERENCES offers (id),
    ticket_type_id BLOB REFERENCES ticket_types (id),
    day TEXT NOT NULL,
    created_by BLOB REFERENCES users (id),
    created_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX stop_sales_offer_day ON stop_sales (organization_id, offer_id, ticket_type_id, day);
CREATE INDEX stop_sales_day ON stop_sales (organization_id, day);
