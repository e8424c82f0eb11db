-- Register sessions (a register opened with a float, closed with the counted cash and its Z),
-- cash put in and taken out during a session, and which session each sale, payment and
-- cancellation counts in. Reprints of receipts and tickets, and the organization's ticket
-- signing key. Keep in step with ../sqlite/ (a test compares the resulting schemas).

CREATE TABLE register_sessions (
    id UUID PRIMARY KEY,
    organization_id UUID NOT NULL REFERENCES organizations (id),
    register_id UUID NOT NULL REFERENCES registers (id),
    -- The organization's local day on which it was opened: its Z keeps that day.
    day TEXT NOT NULL,
    opened_at BIGINT NOT NULL,
    opened_by UUID REFERENCES users (id),
    opening_float_cents BIGINT NOT NULL,
    -- JSON {"denomination cents": count}, when the float was counted by denomination.
    opening_counts TEXT,
    -- Bumped by every sale, payment and cancellation counted in it: that conditional UPDATE is
    -- what orders a sale against the closing (PostgreSQL row lock; SQLite has one writer).
    operations BIGINT NOT NULL,
    closed_at BIGINT,
    closed_by UUID REFERENCES users (id),
    -- Sequential per register, given at closing.
    z_number BIGINT,
    counted_cash_cents BIGINT,
    closing_counts TEXT,
    -- The Z's figures, frozen at closing (the summaries add them up).
    revenue_cents BIGINT,
    vat_cents BIGINT,
    tickets BIGINT,
    grand_total_cents BIGINT,
    -- The whole Z as JSON.
    z_report TEXT
);
-- One open session per register.
CREATE UNIQUE INDEX register_sessions_open ON register_sessions (register_id) WHERE closed_at IS NULL;
CREATE UNIQUE INDEX register_sessions_z ON register_sessions (register_id, z_number);
CREATE INDEX register_sessions_day ON register_sessions (organization_id, day);

CREATE TABLE cash_movements (
    id UUID PRIMARY KEY,
    organization_id UUID NOT NULL REFERENCES organizations (id),
    session_id UUID NOT NULL REFERENCES register_sessions (id),
    -- in or out
    kind TEXT NOT NULL,
    amount_cents BIGINT NOT NULL,
    reason TEXT NOT NULL,
    at BIGINT NOT NULL,
    by_user UUID REFERENCES users (id)
);
CREATE INDEX cash_movements_session ON cash_movements (session_id);

-- The session the order was finalized in, and the one it was cancelled in. NULL when no
-- session was open on its register (the phone register): the register's next Z takes it.
ALTER TABLE orders ADD COLUMN session_id UUID REFERENCES register_sessions (id);
ALTER TABLE orders ADD COLUMN cancel_session_id UUID REFERENCES register_sessions (id);
ALTER TABLE payments ADD COLUMN session_id UUID REFERENCES register_sessions (id);
CREATE INDEX orders_session ON orders (session_id);
CREATE INDEX orders_cancel_session ON orders (cancel_session_id);
CREATE INDEX orders_register_session ON orders (register_id, session_id);
CREATE INDEX payments_session ON payments (session_id);
CREATE INDEX payments_register_session ON payments (register_id, session_id);

-- How many times a receipt or an order's tickets were printed: every print after the first is
-- a DUPLICATA (and a journal entry).
CREATE TABLE prints (
    organization_id UUID NOT NULL REFERENCES organizations (id),
    order_id UUID NOT NULL REFERENCES orders (id),
    -- receipt or tickets
    document TEXT NOT NULL,
    count BIGINT NOT NULL,
    PRIMARY KEY (organization_id, order_id, document)
);

-- The Ed25519 key that signs the organization's ticket codes (verifiable without the database
-- with the public key alone).
CREATE TABLE ticket_keys (
    organization_id UUID PRIMARY KEY REFERENCES organizations (id),
    secret_key BYTEA NOT NULL,
    public_key BYTEA NOT NULL,
    created_at BIGINT NOT NULL
);

-- One ticket for the whole order (a group) instead of one per visitor.
ALTER TABLE offers ADD COLUMN one_ticket_per_order BOOLEAN NOT NULL DEFAULT FALSE;

-- BEGIN BACKEND-SPECIFIC: a Z is immutable once made.
CREATE FUNCTION register_sessions_frozen() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        RAISE EXCEPTION 'register sessions are never deleted';
    END IF;
    IF OLD.closed_at IS NOT NULL THEN
        RAISE EXCEPTION 'a Z is immutable once made';
    END IF;
    RETURN NEW;
END;
$$;
CREATE TRIGGER register_sessions_z_frozen BEFORE UPDATE OR DELETE ON register_sessions
FOR EACH ROW EXECUTE FUNCTION register_sessions_frozen();
-- END BACKEND-SPECIFIC
