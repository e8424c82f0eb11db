-- Special orders with a deposit (issue 6 §11): a deposit paid on a reservation is its own
-- order (a deposit line at the goods' VAT rate, so its VAT is due when it is paid); the sale
-- that consumes the reservation deducts it (a negative deposit line at the same rate) and
-- is recorded here, so a deposit is used once. Keep in step with ../sqlite/.

ALTER TABLE reservations ADD COLUMN deposit_cents BIGINT NOT NULL DEFAULT 0;
ALTER TABLE reservations ADD COLUMN deposit_vat_rate_bp INTEGER NOT NULL DEFAULT 0;
ALTER TABLE reservations ADD COLUMN deposit_order_id UUID REFERENCES orders (id);
ALTER TABLE reservations ADD COLUMN deposit_used_order_id UUID REFERENCES orders (id);
