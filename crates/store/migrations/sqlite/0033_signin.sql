-- Sign-in without lock-out (issue 15 §5). Keep in step with ../postgres/.

-- Devices an account has signed in from: the browser keeps a random token in a long-lived
-- cookie, the table its SHA-256. The right password from a known device is never slowed
-- down by someone else's failures.
CREATE TABLE known_devices (
    token_hash BYTEA NOT NULL,
    user_id BLOB NOT NULL REFERENCES users (id),
    created_at BIGINT NOT NULL,
    last_used_at BIGINT NOT NULL,
    PRIMARY KEY (token_hash, user_id)
);
CREATE INDEX known_devices_user ON known_devices (user_id);

-- "Forgotten password" links: single use, short-lived; only the token's SHA-256 is kept.
CREATE TABLE password_resets (
    token_hash BYTEA PRIMARY KEY,
    user_id BLOB NOT NULL REFERENCES users (id),
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    used_at BIGINT
);
CREATE INDEX password_resets_user ON password_resets (user_id);
