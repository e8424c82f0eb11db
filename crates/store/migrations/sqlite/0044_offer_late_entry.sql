-- Late entry (issue 19): an offer may let the register sell a session that has started, up to
-- this many minutes after its start (0: a started session is not sold). Keep in step with the
-- other tree.
ALTER TABLE offers ADD COLUMN late_entry_minutes INTEGER NOT NULL DEFAULT 0;
