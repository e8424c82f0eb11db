-- How an offer's online bookings are paid and whether a visitor may cancel them online
-- (issue 16). Keep in step with ../postgres/.
-- collection_mode: 'on_site' (confirmed unpaid, collected at the register), 'deposit'
-- (exactly one of deposit_bp, a share in basis points, or deposit_cents, a fixed amount)
-- or 'full'. cancel_free_hours: NULL = no online cancellation; N = free until N hours
-- before the session starts.
ALTER TABLE offers ADD COLUMN collection_mode TEXT NOT NULL DEFAULT 'on_site';
ALTER TABLE offers ADD COLUMN deposit_bp INTEGER;
ALTER TABLE offers ADD COLUMN deposit_cents BIGINT;
ALTER TABLE offers ADD COLUMN cancel_free_hours INTEGER;
