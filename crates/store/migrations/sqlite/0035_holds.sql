-- Places a visitor's cart holds while they book online (issue 16 §2). Keep in step with
-- ../postgres/. A hold counts in session_counts.held, so the register and every other
-- channel see the places as taken, until the cart's sale takes them (they move to sold in the
-- sale's transaction) or the hold expires and the sweep gives them back.
CREATE TABLE holds (
    id BLOB PRIMARY KEY,
    organization_id BLOB NOT NULL REFERENCES organizations (id),
    -- The visitor's cart: a random token the booking flow (or an API client) keeps.
    cart TEXT NOT NULL,
    offer_id BLOB NOT NULL REFERENCES offers (id),
    session_start BIGINT NOT NULL,
    quantity BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX holds_cart_session ON holds (organization_id, cart, offer_id, session_start);
CREATE INDEX holds_expiry ON holds (expires_at);
