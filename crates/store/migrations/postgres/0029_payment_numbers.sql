-- Every payment line — a payment's (or a refund's) share of one order line, a row of the
-- payments list — has its own number in its order: the N of P2103160760_N, from 1, in the
-- order they were taken. The payments list used to number them by the line's position, so
-- two payments of one line, or a refund, shared an _N. `orders.payment_lines` is the last
-- number given: each payment increments it in its transaction, like the counters.
-- Keep in step with ../sqlite/.

ALTER TABLE payment_allocations ADD COLUMN order_id UUID REFERENCES orders (id);
ALTER TABLE payment_allocations ADD COLUMN number INTEGER NOT NULL DEFAULT 0;
ALTER TABLE orders ADD COLUMN payment_lines INTEGER NOT NULL DEFAULT 0;
CREATE UNIQUE INDEX payment_allocations_number ON payment_allocations (order_id, number);

-- Backfill: existing payment lines numbered as they were taken (time, payment, line).
UPDATE payment_allocations SET number = n.number
FROM (SELECT a.payment_id, a.line_id,
             ROW_NUMBER() OVER (PARTITION BY p.order_id ORDER BY p.taken_at, p.id, l.position) AS number
      FROM payment_allocations a
      JOIN payments p ON p.id = a.payment_id
      JOIN order_lines l ON l.id = a.line_id) n
WHERE payment_allocations.payment_id = n.payment_id AND payment_allocations.line_id = n.line_id;
UPDATE payment_allocations SET order_id = (
    SELECT p.order_id FROM payments p WHERE p.id = payment_allocations.payment_id);
UPDATE orders SET payment_lines = (
    SELECT COUNT(*) FROM payment_allocations a WHERE a.order_id = orders.id);
-- A quote with nothing to pay was left awaiting payment once confirmed, where the same cart
-- sold at once is confirmed: nothing is due on such an order.
UPDATE orders SET state = 'confirmed' WHERE state = 'awaiting_payment' AND collected_cents >= total_cents;
