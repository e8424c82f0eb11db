-- The customer search on PostgreSQL (issue 6 §4, p95 under 20 ms at a million customers):
-- a GIN index over the trigrams of each customer's folded search text, with nothing added
-- to the server (pg_trgm is not everywhere, see ARCHITECTURE.md): the trigrams come from a plain SQL
-- function and the index is core PostgreSQL's GIN over a text array. The search asks for
-- the trigrams of each word of 3 letters or more (`customers::listed`), then checks LIKE on
-- the rows found. SQLite has its FTS5 trigram index (0022) and nothing here (../sqlite/).

-- BEGIN BACKEND-SPECIFIC
CREATE FUNCTION customer_trigrams(t TEXT) RETURNS TEXT[] LANGUAGE SQL IMMUTABLE PARALLEL SAFE AS $$
    SELECT COALESCE(array_agg(DISTINCT substr(t, i, 3)), '{}')
    FROM generate_series(1, length(t) - 2) AS i
$$;
CREATE INDEX customers_search_trigrams ON customers USING GIN (customer_trigrams(search));
-- END BACKEND-SPECIFIC
