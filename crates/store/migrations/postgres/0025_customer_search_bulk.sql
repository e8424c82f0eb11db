-- SQLite's customer search index learns to index an import in one statement
-- (../sqlite/0025); PostgreSQL has no such index. This file keeps the versions in step.

SELECT 1;
