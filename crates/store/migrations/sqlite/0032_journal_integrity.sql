-- The journal pins every sale and every Z (issue "Fiscal integrity"): journal format 2 hashes
-- every column of an entry, each Z keeps its journal entry's hash and the organization's
-- Ed25519 signature of it, and the chains' heads are guarded like the entries. Keep in step
-- with ../postgres/ (same version).

ALTER TABLE register_sessions ADD COLUMN z_hash BYTEA;
ALTER TABLE register_sessions ADD COLUMN z_signature BYTEA;

-- A closing reads its register's chain since the last Z.
CREATE INDEX journal_entries_kind ON journal_entries (organization_id, chain, kind, seq);

-- BEGIN BACKEND-SPECIFIC: a head only moves forward and is never removed.
CREATE TRIGGER journal_heads_no_rewind BEFORE UPDATE ON journal_heads
WHEN NEW.seq < OLD.seq OR NEW.organization_id IS NOT OLD.organization_id OR NEW.chain IS NOT OLD.chain
BEGIN SELECT RAISE(ABORT, 'the sales journal is append-only'); END;
CREATE TRIGGER journal_heads_no_delete BEFORE DELETE ON journal_heads
BEGIN SELECT RAISE(ABORT, 'the sales journal is append-only'); END;
-- END BACKEND-SPECIFIC
