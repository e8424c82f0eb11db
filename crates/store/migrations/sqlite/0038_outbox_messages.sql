-- E-mails with an HTML part and files (issue 16 §3: the online booking's confirmation, with
-- its tickets' QR codes shown inline and a calendar file). Keep in step with ../postgres/.
-- A plain e-mail keeps html NULL and has no attachment, as before.
ALTER TABLE outbox_emails ADD COLUMN html TEXT;

-- An e-mail's files, in the order they are sent. They go with their e-mail: erasing a
-- customer deletes the e-mails written to them, and the cascade their files (on SQLite the
-- store turns foreign keys on for every connection).
CREATE TABLE outbox_attachments (
    id BLOB PRIMARY KEY,
    email_id BLOB NOT NULL REFERENCES outbox_emails (id) ON DELETE CASCADE,
    position BIGINT NOT NULL,
    filename TEXT NOT NULL,
    content_type TEXT NOT NULL,
    -- The Content-ID an HTML part shows it by (cid:…); NULL for a file to open.
    inline_id TEXT,
    bytes BYTEA NOT NULL
);
CREATE UNIQUE INDEX outbox_attachments_email ON outbox_attachments (email_id, position);
