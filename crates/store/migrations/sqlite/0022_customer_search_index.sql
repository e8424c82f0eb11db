-- The customer search as an index (seed 004's "?élis" over a million customers): an FTS5
-- trigram index of customers.search, so a substring LIKE reads the customers that contain the
-- word's trigrams instead of every customer. FTS rowids follow creation order (the list's
-- order), so the search takes the newest matches first and stops. Kept in step with
-- customers by triggers; customers_fts_keys finds a customer's row (FTS5 cannot look up an
-- unindexed column). PostgreSQL has no equivalent without an extension and keeps the plain
-- LIKE (../postgres/0022 is empty). Keep in step with ../postgres/.

CREATE VIRTUAL TABLE customers_fts USING fts5(
    search, organization_id UNINDEXED, customer_id UNINDEXED, tokenize = 'trigram'
);
CREATE TABLE customers_fts_keys (
    customer_id BLOB PRIMARY KEY,
    fts_rowid INTEGER NOT NULL
);

INSERT INTO customers_fts (search, organization_id, customer_id)
    SELECT search, organization_id, id FROM customers ORDER BY created_at, id;
INSERT INTO customers_fts_keys (customer_id, fts_rowid)
    SELECT customer_id, rowid FROM customers_fts;

CREATE TRIGGER customers_fts_insert AFTER INSERT ON customers BEGIN
    INSERT INTO customers_fts (search, organization_id, customer_id)
        VALUES (NEW.search, NEW.organization_id, NEW.id);
    INSERT INTO customers_fts_keys (customer_id, fts_rowid) VALUES (NEW.id, last_insert_rowid());
END;

CREATE TRIGGER customers_fts_update AFTER UPDATE OF search ON customers BEGIN
    UPDATE customers_fts SET search = NEW.search
        WHERE rowid = (SELECT fts_rowid FROM customers_fts_keys WHERE customer_id = NEW.id);
END;

CREATE TRIGGER customers_fts_delete AFTER DELETE ON customers BEGIN
    DELETE FROM customers_fts
        WHERE rowid = (SELECT fts_rowid FROM customers_fts_keys WHERE customer_id = OLD.id);
    DELETE FROM customers_fts_keys WHERE customer_id = OLD.id;
END;
