-- Orders, their lines, payments and their allocation to lines, and the hash-chained sales
-- journal. Keep in step with ../sqlite/ (same versions; a test compares the resulting schemas).

-- Payment methods an organization offers (absent row: the method's default, enabled).
CREATE TABLE payment_method_settings (
    organization_id UUID NOT NULL REFERENCES organizations (id),
    method TEXT NOT NULL,
    enabled BOOLEAN NOT NULL,
    PRIMARY KEY (organization_id, method)
);

CREATE TABLE orders (
    id UUID PRIMARY KEY,
    organization_id UUID NOT NULL REFERENCES organizations (id),
    -- P + YYMMDD + a daily number, from the counters table in the sale's transaction; NULL for a quote
    -- until it becomes an order.
    number TEXT,
    quote_number TEXT,
    register_id UUID REFERENCES registers (id),
    state TEXT NOT NULL,
    total_cents BIGINT NOT NULL,
    vat_cents BIGINT NOT NULL,
    -- Sum of payments net of refunds, kept with each payment in the same transaction.
    collected_cents BIGINT NOT NULL,
    visit_date TEXT,
    visit_start BIGINT,
    customer_comment TEXT,
    internal_comment TEXT,
    promo_code_id UUID,
    created_by UUID REFERENCES users (id),
    created_at BIGINT NOT NULL,
    finalized_at BIGINT,
    cancelled_at BIGINT,
    cancelled_by UUID REFERENCES users (id),
    -- A client's key: the same key again returns the same order instead of a second one.
    idempotency_key TEXT
);
CREATE UNIQUE INDEX orders_number ON orders (organization_id, number);
CREATE UNIQUE INDEX orders_quote_number ON orders (organization_id, quote_number);
CREATE UNIQUE INDEX orders_idempotency ON orders (organization_id, idempotency_key);
CREATE INDEX orders_created ON orders (organization_id, created_at);
CREATE INDEX orders_visit ON orders (organization_id, visit_date);

CREATE TABLE order_lines (
    id UUID PRIMARY KEY,
    organization_id UUID NOT NULL REFERENCES organizations (id),
    order_id UUID NOT NULL REFERENCES orders (id),
    position INTEGER NOT NULL,
    -- ticket_type, extra or product
    kind TEXT NOT NULL,
    offer_id UUID REFERENCES offers (id),
    session_start BIGINT,
    visit_date TEXT,
    ticket_type_id UUID REFERENCES ticket_types (id),
    extra_id UUID REFERENCES extras (id),
    product_id UUID REFERENCES products (id),
    label TEXT NOT NULL,
    quantity BIGINT NOT NULL,
    unit_price_cents BIGINT NOT NULL,
    -- The catalogue price when the cashier changed it (manager or admin, with a reason).
    list_price_cents BIGINT NOT NULL,
    price_reason TEXT,
    discount_cents BIGINT NOT NULL,
    discount_reason TEXT,
    total_cents BIGINT NOT NULL,
    vat_rate_bp INTEGER NOT NULL,
    vat_cents BIGINT NOT NULL
);
CREATE UNIQUE INDEX order_lines_position ON order_lines (order_id, position);
CREATE INDEX order_lines_session ON order_lines (organization_id, offer_id, session_start);

CREATE TABLE payments (
    id UUID PRIMARY KEY,
    organization_id UUID NOT NULL REFERENCES organizations (id),
    order_id UUID NOT NULL REFERENCES orders (id),
    register_id UUID REFERENCES registers (id),
    method TEXT NOT NULL,
    -- Negative for a refund.
    amount_cents BIGINT NOT NULL,
    tendered_cents BIGINT NOT NULL,
    change_cents BIGINT NOT NULL,
    taken_at BIGINT NOT NULL,
    taken_by UUID REFERENCES users (id)
);
CREATE INDEX payments_taken ON payments (organization_id, taken_at);
-- (order_id, taken_at, id) also gives an order's payments in order, so SQLite never prefers the
-- organization-wide payments_taken index for them (that scan grows with every sale).
CREATE INDEX payments_order ON payments (order_id, taken_at, id);

-- Each payment's share of each line: the payments list shows them as number_N.
CREATE TABLE payment_allocations (
    payment_id UUID NOT NULL REFERENCES payments (id),
    line_id UUID NOT NULL REFERENCES order_lines (id),
    organization_id UUID NOT NULL REFERENCES organizations (id),
    amount_cents BIGINT NOT NULL,
    PRIMARY KEY (payment_id, line_id)
);
CREATE INDEX payment_allocations_line ON payment_allocations (line_id);

-- Units of an extra with a capacity (audio-guides) out per session start.
CREATE TABLE item_session_counts (
    organization_id UUID NOT NULL REFERENCES organizations (id),
    item_id UUID NOT NULL,
    session_start BIGINT NOT NULL,
    sold BIGINT NOT NULL,
    PRIMARY KEY (organization_id, item_id, session_start)
);

-- The sales journal: per chain (a register, or "online"), gapless numbering, hash-chained.
-- Append-only (see the guard below).
CREATE TABLE journal_entries (
    organization_id UUID NOT NULL REFERENCES organizations (id),
    chain TEXT NOT NULL,
    seq BIGINT NOT NULL,
    kind TEXT NOT NULL,
    order_id UUID,
    payment_id UUID,
    record TEXT NOT NULL,
    prev_hash BYTEA NOT NULL,
    hash BYTEA NOT NULL,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (organization_id, chain, seq)
);

-- Each chain's head: the row every append locks (conditional UPDATE), so appends to one chain
-- queue up and the numbering stays gapless.
CREATE TABLE journal_heads (
    organization_id UUID NOT NULL REFERENCES organizations (id),
    chain TEXT NOT NULL,
    seq BIGINT NOT NULL,
    hash BYTEA NOT NULL,
    sales_cents BIGINT NOT NULL,
    payments_cents BIGINT NOT NULL,
    PRIMARY KEY (organization_id, chain)
);

-- BEGIN BACKEND-SPECIFIC: the journal refuses updates and deletes at the database level
-- (databases without triggers fall back on the store, which never issues them).
CREATE FUNCTION journal_entries_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'the sales journal is append-only';
END;
$$;
CREATE TRIGGER journal_entries_no_change BEFORE UPDATE OR DELETE ON journal_entries
FOR EACH ROW EXECUTE FUNCTION journal_entries_append_only();
-- END BACKEND-SPECIFIC
