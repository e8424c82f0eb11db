-- A customer erased on request keeps an empty record (so their orders and the accounting stay
-- whole) with the instant of the erasure. Keep in step with ../sqlite/.

ALTER TABLE customers ADD COLUMN erased_at BIGINT;
