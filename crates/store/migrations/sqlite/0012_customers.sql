-- Customers as the register quick-creates them (the customers issue extends the table), the
-- customer attached to an order, and the visitor's origin recorded on visit orders. Keep in step
-- with ../postgres/.

CREATE TABLE customers (
    id BLOB PRIMARY KEY,
    organization_id BLOB NOT NULL REFERENCES organizations (id),
    first_name TEXT,
    last_name TEXT,
    email TEXT,
    -- International (E.164) form.
    phone TEXT,
    country TEXT NOT NULL,
    postal_code TEXT,
    province TEXT,
    -- Names, e-mail and phone folded (accents, case) for the search box.
    search TEXT NOT NULL,
    created_by BLOB REFERENCES users (id),
    created_at BIGINT NOT NULL
);
CREATE INDEX customers_org_name ON customers (organization_id, last_name, first_name);

ALTER TABLE orders ADD COLUMN customer_id BLOB REFERENCES customers (id);
ALTER TABLE orders ADD COLUMN visitor_country TEXT;
ALTER TABLE orders ADD COLUMN visitor_postal_code TEXT;
ALTER TABLE orders ADD COLUMN visitor_province TEXT;
