-- An optional uploaded picture per ticket type and extra (instead of, or beside, a pictogram),
-- with its JPEG thumbnail. Kept on the row: items are archived, never deleted, and one item has
-- at most one picture. Keep in step with the other database's folder (a test compares schemas).

ALTER TABLE ticket_types ADD COLUMN picture_mime TEXT;
ALTER TABLE ticket_types ADD COLUMN picture BYTEA;
ALTER TABLE ticket_types ADD COLUMN picture_thumbnail BYTEA;
ALTER TABLE extras ADD COLUMN picture_mime TEXT;
ALTER TABLE extras ADD COLUMN picture BYTEA;
ALTER TABLE extras ADD COLUMN picture_thumbnail BYTEA;
