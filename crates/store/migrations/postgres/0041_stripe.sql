-- Online payment through Stripe (issue 17). Keep in step with ../sqlite/.

-- An organization's Stripe account: its keys sealed with the server's key (never stored in
-- clear), the last characters shown to recognize them, the statement descriptor, the fee
-- rule Stripe's figures are checked against and the accounting accounts of the exports.
CREATE TABLE stripe_accounts (
    organization_id UUID PRIMARY KEY REFERENCES organizations (id),
    secret_key_sealed TEXT NOT NULL,
    secret_key_hint TEXT NOT NULL,
    webhook_secret_sealed TEXT NOT NULL,
    webhook_secret_hint TEXT NOT NULL,
    statement_descriptor TEXT NOT NULL,
    fee_basis_points BIGINT NOT NULL DEFAULT 300,
    ideal_enabled BOOLEAN NOT NULL DEFAULT FALSE,
    revenue_account TEXT NOT NULL DEFAULT '700000',
    fees_account TEXT NOT NULL DEFAULT '650000',
    bank_account TEXT NOT NULL DEFAULT '580000',
    stripe_account_name TEXT,
    tested_at BIGINT,
    updated_at BIGINT NOT NULL,
    updated_by UUID REFERENCES users (id)
);

-- Each Guichet payment (or refund) that went through Stripe, with Stripe's identifiers for
-- reconciliation and, once Stripe's balance transaction is read, its actual fee and net.
CREATE TABLE stripe_payments (
    payment_id UUID PRIMARY KEY REFERENCES payments (id),
    organization_id UUID NOT NULL REFERENCES organizations (id),
    order_id UUID NOT NULL REFERENCES orders (id),
    -- 'charge' or 'refund'.
    kind TEXT NOT NULL,
    -- ch_… for a charge, re_… for a refund.
    stripe_object TEXT NOT NULL,
    payment_intent TEXT,
    checkout_session TEXT,
    balance_transaction TEXT,
    amount_cents BIGINT NOT NULL,
    fee_cents BIGINT,
    net_cents BIGINT,
    payout TEXT,
    taken_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX stripe_payments_object ON stripe_payments (organization_id, stripe_object);
CREATE INDEX stripe_payments_taken ON stripe_payments (organization_id, taken_at);
CREATE INDEX stripe_payments_intent ON stripe_payments (organization_id, payment_intent);
CREATE INDEX stripe_payments_balance ON stripe_payments (organization_id, balance_transaction);

-- Refunds asked of Stripe: pending until its webhook (or a sync) says they succeeded (then
-- a negative payment is recorded) or failed (shown on the order and the dashboard). A
-- payment that came after its cart's places were gone is refunded with no order: its cart.
CREATE TABLE stripe_refunds (
    id UUID PRIMARY KEY,
    organization_id UUID NOT NULL REFERENCES organizations (id),
    order_id UUID REFERENCES orders (id),
    cart TEXT,
    refund TEXT,
    payment_intent TEXT NOT NULL,
    amount_cents BIGINT NOT NULL,
    status TEXT NOT NULL,
    failure_reason TEXT,
    payment_id UUID REFERENCES payments (id),
    requested_at BIGINT NOT NULL,
    requested_by UUID REFERENCES users (id),
    updated_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX stripe_refunds_refund ON stripe_refunds (organization_id, refund);
CREATE INDEX stripe_refunds_order ON stripe_refunds (organization_id, order_id);
CREATE INDEX stripe_refunds_status ON stripe_refunds (organization_id, status);

-- Webhook events already handled: a delivery of one of them again changes nothing.
CREATE TABLE stripe_events (
    organization_id UUID NOT NULL REFERENCES organizations (id),
    event_id TEXT NOT NULL,
    event_type TEXT NOT NULL,
    received_at BIGINT NOT NULL,
    PRIMARY KEY (organization_id, event_id)
);

-- Payout batches ("transferts de fonds") as Stripe reports them, and the balance
-- transactions each carries (gross, fee, net) for the reconciliation.
CREATE TABLE stripe_payouts (
    organization_id UUID NOT NULL REFERENCES organizations (id),
    payout TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    -- YYYY-MM-DD as Stripe gives it; NULL when it gives none.
    arrival_date TEXT,
    amount_cents BIGINT NOT NULL,
    status TEXT NOT NULL,
    synced_at BIGINT NOT NULL,
    PRIMARY KEY (organization_id, payout)
);
CREATE INDEX stripe_payouts_created ON stripe_payouts (organization_id, created_at);

CREATE TABLE stripe_payout_lines (
    organization_id UUID NOT NULL REFERENCES organizations (id),
    payout TEXT NOT NULL,
    balance_transaction TEXT NOT NULL,
    -- The charge or refund (ch_…, re_…) it moves, when it moves one.
    source TEXT,
    kind TEXT NOT NULL,
    amount_cents BIGINT NOT NULL,
    fee_cents BIGINT NOT NULL,
    net_cents BIGINT NOT NULL,
    PRIMARY KEY (organization_id, payout, balance_transaction)
);
CREATE INDEX stripe_payout_lines_balance ON stripe_payout_lines (organization_id, balance_transaction);

-- The Checkout Session a cart was handed to, so that its webhook finds the cart.
ALTER TABLE online_carts ADD COLUMN checkout_session TEXT;
CREATE INDEX online_carts_checkout ON online_carts (checkout_session);
