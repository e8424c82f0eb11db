-- Offer photos, kept in the database (servers stay stateless) with their thumbnail.
-- Keep in step with ../postgres/ (same versions; a test compares the resulting schemas).

CREATE TABLE offer_photos (
    id BLOB PRIMARY KEY,
    organization_id BLOB NOT NULL REFERENCES organizations (id),
    offer_id BLOB NOT NULL REFERENCES offers (id),
    caption TEXT NOT NULL,
    mime TEXT NOT NULL,
    width INTEGER NOT NULL,
    height INTEGER NOT NULL,
    data BYTEA NOT NULL,
    thumbnail BYTEA NOT NULL,
    position INTEGER NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX offer_photos_offer ON offer_photos (organization_id, offer_id, position);
