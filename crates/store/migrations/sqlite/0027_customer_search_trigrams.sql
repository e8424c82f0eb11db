-- PostgreSQL's customer search index (../postgres/0027): SQLite has its own, the FTS5 trigram
-- index of migration 0022, so nothing changes here. Kept so both trees have the same versions.
SELECT 1;
