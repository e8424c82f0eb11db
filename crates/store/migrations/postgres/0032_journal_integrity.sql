-- The journal pins every sale and every Z (issue "Fiscal integrity"): journal format 2 hashes
-- every column of an entry, each Z keeps its journal entry's hash and the organization's
-- Ed25519 signature of it, and the chains' heads are guarded like the entries, TRUNCATE
-- included. Keep in step with ../sqlite/ (same version).

ALTER TABLE register_sessions ADD COLUMN z_hash BYTEA;
ALTER TABLE register_sessions ADD COLUMN z_signature BYTEA;

-- A closing reads its register's chain since the last Z.
CREATE INDEX journal_entries_kind ON journal_entries (organization_id, chain, kind, seq);

-- BEGIN BACKEND-SPECIFIC: a head only moves forward and is never removed; TRUNCATE, which
-- row triggers do not see, is refused on the journal, its heads and the Zs.
CREATE FUNCTION journal_heads_forward_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' OR NEW.seq < OLD.seq OR NEW.organization_id <> OLD.organization_id
       OR NEW.chain <> OLD.chain THEN
        RAISE EXCEPTION 'the sales journal is append-only';
    END IF;
    RETURN NEW;
END;
$$;
CREATE TRIGGER journal_heads_forward BEFORE UPDATE OR DELETE ON journal_heads
FOR EACH ROW EXECUTE FUNCTION journal_heads_forward_only();
CREATE FUNCTION journal_no_truncate() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'the sales journal is append-only';
END;
$$;
CREATE TRIGGER journal_entries_no_truncate BEFORE TRUNCATE ON journal_entries
FOR EACH STATEMENT EXECUTE FUNCTION journal_no_truncate();
CREATE TRIGGER journal_heads_no_truncate BEFORE TRUNCATE ON journal_heads
FOR EACH STATEMENT EXECUTE FUNCTION journal_no_truncate();
CREATE TRIGGER register_sessions_no_truncate BEFORE TRUNCATE ON register_sessions
FOR EACH STATEMENT EXECUTE FUNCTION journal_no_truncate();
-- END BACKEND-SPECIFIC
