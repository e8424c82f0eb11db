-- Z numbers come from a counter row per register (`counters`, name `z:<register id>`),
-- incremented in the closing's transaction like order numbers, instead of MAX(z_number) + 1.
-- Existing databases carry each register's last Z number over, so its next Z follows it
-- without a gap. Keep in step with ../sqlite/ (no schema change: data only).

INSERT INTO counters (organization_id, name, value)
SELECT organization_id, 'z:' || CAST(register_id AS TEXT), MAX(z_number)
FROM register_sessions
WHERE z_number IS NOT NULL
GROUP BY organization_id, register_id;
