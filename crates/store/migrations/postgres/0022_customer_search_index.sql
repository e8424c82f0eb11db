-- SQLite's customer search index (../sqlite/0022: an FTS5 trigram table SQLite keeps in
-- step) has no built-in PostgreSQL equivalent; the search keeps its plain LIKE here. This
-- file keeps the two trees' versions in step.

SELECT 1;
