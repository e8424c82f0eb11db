-- The customer search index's triggers skip rows whose search text starts with char(1): an
-- import writes its customers so marked, then indexes them all in one statement and clears
-- the mark (customers::index_marked), which is many times faster than a row at a time.
-- Keep in step with ../postgres/.

DROP TRIGGER customers_fts_insert;
DROP TRIGGER customers_fts_update;

CREATE TRIGGER customers_fts_insert AFTER INSERT ON customers
WHEN substr(NEW.search, 1, 1) <> char(1) BEGIN
    INSERT INTO customers_fts (search, organization_id, customer_id)
        VALUES (NEW.search, NEW.organization_id, NEW.id);
    INSERT INTO customers_fts_keys (customer_id, fts_rowid) VALUES (NEW.id, last_insert_rowid());
END;

CREATE TRIGGER customers_fts_update AFTER UPDATE OF search ON customers
WHEN substr(NEW.search, 1, 1) <> char(1) AND substr(OLD.search, 1, 1) <> char(1) BEGIN
    UPDATE customers_fts SET search = NEW.search
        WHERE rowid = (SELECT fts_rowid FROM customers_fts_keys WHERE customer_id = NEW.id);
END;
