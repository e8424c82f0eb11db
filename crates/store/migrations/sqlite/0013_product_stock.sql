-- Each product's current stock, kept with every stock movement in the movement's transaction,
-- so a sale checks and takes stock in one conditional UPDATE instead of summing the ledger (which
-- grows with every sale). The ledger stays the record; stock at a past date still sums it.
-- Keep in step with ../postgres/.

ALTER TABLE products ADD COLUMN stock BIGINT NOT NULL DEFAULT 0;
UPDATE products SET stock = (SELECT COALESCE(SUM(m.quantity), 0) FROM stock_movements m
    WHERE m.organization_id = products.organization_id AND m.product_id = products.id);
