-- Erasure leaves nobody behind (issue 15 §4). An e-mail of the outbox names the customer it
-- was written to, so erasing them finds it even when their address changed since; a stored
-- import file can be removed (after `import_retention_days`, or when a customer in it is
-- erased) while the import's record stays (file name, counts, dates). Customers erased
-- before this migration lose what can be found by their id: the comments of their orders,
-- the notes of their reservations and the names in their merge log. Keep in step with
-- ../postgres/.

ALTER TABLE outbox_emails ADD COLUMN customer_id BLOB;
CREATE INDEX outbox_emails_customer ON outbox_emails (organization_id, customer_id);

ALTER TABLE customer_imports ADD COLUMN purged_at BIGINT;

UPDATE orders SET customer_comment = NULL, internal_comment = NULL
    WHERE customer_id IN (SELECT id FROM customers WHERE erased_at IS NOT NULL);
UPDATE reservations SET note = NULL
    WHERE customer_id IN (SELECT id FROM customers WHERE erased_at IS NOT NULL);
UPDATE customer_merges SET merged_name = ''
    WHERE kept_id IN (SELECT id FROM customers WHERE erased_at IS NOT NULL);
