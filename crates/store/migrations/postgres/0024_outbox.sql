-- E-mails waiting to be sent through the configured SMTP server (issue 6 §10: a customer told
-- their reserved items are ready). Written in the transaction of what caused them, sent by a
-- background task, retried with a growing delay: a restart or a second server loses none.
-- Keep in step with ../sqlite/.

CREATE TABLE outbox_emails (
    id UUID PRIMARY KEY,
    organization_id UUID NOT NULL REFERENCES organizations (id),
    to_address TEXT NOT NULL,
    subject TEXT NOT NULL,
    body TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    next_attempt_at BIGINT NOT NULL,
    attempts BIGINT NOT NULL DEFAULT 0,
    last_error TEXT,
    sent_at BIGINT
);
CREATE INDEX outbox_emails_due ON outbox_emails (sent_at, next_attempt_at);
