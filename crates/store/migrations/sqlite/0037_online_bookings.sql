-- Online bookings (issue 16 §2–3). Keep in step with ../postgres/.
-- An order booked online names the module it came from (its channel: statistics count
-- "sold on your website" by it), the visitor's language (the e-mails resent later speak
-- it) and, once the visitor cancels, what was paid online and must be refunded through
-- the payment provider.
ALTER TABLE orders ADD COLUMN booking_module_id BLOB REFERENCES booking_modules (id);
ALTER TABLE orders ADD COLUMN booking_language TEXT;
ALTER TABLE orders ADD COLUMN refund_due_cents BIGINT NOT NULL DEFAULT 0;

-- A visitor's cart between the steps of the booking flow: its token is in the flow's
-- addresses (no cookie: the flow runs in other sites' frames), its lines and promo code
-- as chosen, the visitor's details once given, and the order it became.
-- state: 'open' (choosing), 'paying' (at the payment provider for due_now_cents),
-- 'booked' (order_id set).
CREATE TABLE online_carts (
    id BLOB PRIMARY KEY,
    organization_id BLOB NOT NULL REFERENCES organizations (id),
    booking_module_id BLOB NOT NULL REFERENCES booking_modules (id),
    cart TEXT NOT NULL,
    language TEXT NOT NULL,
    lines_json TEXT NOT NULL,
    promo_code TEXT,
    visitor_json TEXT,
    state TEXT NOT NULL,
    due_now_cents BIGINT NOT NULL DEFAULT 0,
    order_id BLOB REFERENCES orders (id),
    provider_ref TEXT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX online_carts_cart ON online_carts (cart);
CREATE INDEX online_carts_updated ON online_carts (updated_at);
