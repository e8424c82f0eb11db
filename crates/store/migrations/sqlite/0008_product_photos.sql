-- An optional photo per shop product, with its thumbnail. Keep in step with ../postgres/ (same versions; a test compares the resulting schemas).

CREATE TABLE product_photos (
    product_id BLOB PRIMARY KEY REFERENCES products (id),
    organization_id BLOB NOT NULL REFERENCES organizations (id),
    mime TEXT NOT NULL,
    data BYTEA NOT NULL,
    thumbnail BYTEA NOT NULL,
    created_at BIGINT NOT NULL
);
