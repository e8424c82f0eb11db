-- Shop: product groups in a manual order, products with barcode and VAT-included price,
-- and the stock ledger (stock is the sum of movements). Keep in step with ../postgres/ (same versions; a test compares the resulting schemas).

CREATE TABLE product_groups (
    id BLOB PRIMARY KEY,
    organization_id BLOB NOT NULL REFERENCES organizations (id),
    name TEXT NOT NULL,
    position INTEGER NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX product_groups_organization ON product_groups (organization_id, position);

CREATE TABLE products (
    id BLOB PRIMARY KEY,
    organization_id BLOB NOT NULL REFERENCES organizations (id),
    group_id BLOB REFERENCES product_groups (id),
    vat_rate_id BLOB NOT NULL REFERENCES vat_rates (id),
    name TEXT NOT NULL,
    reference TEXT,
    barcode TEXT NOT NULL,
    symbology TEXT NOT NULL,
    price_cents BIGINT NOT NULL,
    sale_pos BOOLEAN NOT NULL,
    sale_online BOOLEAN NOT NULL,
    alert_stock BIGINT,
    stock_managed BOOLEAN NOT NULL,
    search_key TEXT NOT NULL,
    archived_at BIGINT,
    created_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX products_barcode ON products (organization_id, barcode);
CREATE INDEX products_group ON products (organization_id, group_id);

CREATE TABLE stock_movements (
    id BLOB PRIMARY KEY,
    organization_id BLOB NOT NULL REFERENCES organizations (id),
    product_id BLOB NOT NULL REFERENCES products (id),
    kind TEXT NOT NULL,
    quantity BIGINT NOT NULL,
    occurred_at BIGINT NOT NULL,
    user_id BLOB REFERENCES users (id),
    reason TEXT
);
-- Covering: the stock report and current stock read only this index.
CREATE INDEX stock_movements_product_time ON stock_movements (organization_id, product_id, occurred_at, kind, quantity);

-- Gapless per-organization counters (internal barcodes now; order numbers later),
-- incremented in the same transaction as what uses them.
CREATE TABLE counters (
    organization_id BLOB NOT NULL REFERENCES organizations (id),
    name TEXT NOT NULL,
    value BIGINT NOT NULL,
    PRIMARY KEY (organization_id, name)
);
