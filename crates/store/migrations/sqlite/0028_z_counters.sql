-- Z numbers come from a counter row per register (`counters`, name `z:<register id>`),
-- incremented in the closing's transaction like order numbers, instead of MAX(z_number) + 1.
-- Existing databases carry each register's last Z number over, so its next Z follows it
-- without a gap. Keep in step with ../postgres/ (no schema change: data only).

INSERT INTO counters (organization_id, name, value)
SELECT organization_id,
       -- The hyphenated lower-case UUID, as the application writes the name.
       'z:' || CASE WHEN typeof(register_id) = 'blob' THEN lower(
           substr(hex(register_id), 1, 8) || '-' || substr(hex(register_id), 9, 4) || '-'
           || substr(hex(register_id), 13, 4) || '-' || substr(hex(register_id), 17, 4) || '-'
           || substr(hex(register_id), 21, 12))
       ELSE lower(register_id) END,
       MAX(z_number)
FROM register_sessions
WHERE z_number IS NOT NULL
GROUP BY organization_id, register_id;
