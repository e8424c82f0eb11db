-- An optional photo per shop product, with its thumbnail. Keep in step with ../sqlite/.

CREATE TABLE product_photos (
    product_id UUID PRIMARY KEY REFERENCES products (id),
    organization_id UUID NOT NULL REFERENCES organizations (id),
    mime TEXT NOT NULL,
    data BYTEA NOT NULL,
    thumbnail BYTEA NOT NULL,
    created_at BIGINT NOT NULL
);
