-- Foundation: organizations, sites, users and memberships, VAT rates, registers, API keys,
-- sessions and login throttling. Ids are UUIDv7 made by the application, instants are
-- BIGINT microseconds UTC, rates are basis points. Keep in step with ../postgres/ (same versions; a test compares the resulting schemas).

CREATE TABLE organizations (
    id BLOB PRIMARY KEY,
    name TEXT NOT NULL,
    legal_name TEXT,
    vat_number TEXT,
    street TEXT,
    postal_code TEXT,
    city TEXT,
    country TEXT,
    currency TEXT NOT NULL,
    time_zone TEXT NOT NULL,
    default_language TEXT NOT NULL,
    created_at BIGINT NOT NULL
);

CREATE TABLE sites (
    id BLOB PRIMARY KEY,
    organization_id BLOB NOT NULL REFERENCES organizations (id),
    name TEXT NOT NULL,
    street TEXT,
    postal_code TEXT,
    city TEXT,
    country TEXT,
    archived_at BIGINT,
    created_at BIGINT NOT NULL
);
CREATE INDEX sites_organization ON sites (organization_id);

CREATE TABLE users (
    id BLOB PRIMARY KEY,
    email TEXT NOT NULL,
    name TEXT NOT NULL,
    language TEXT NOT NULL,
    password_hash TEXT,
    created_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX users_email ON users (email);

CREATE TABLE memberships (
    id BLOB PRIMARY KEY,
    organization_id BLOB NOT NULL REFERENCES organizations (id),
    user_id BLOB NOT NULL REFERENCES users (id),
    role TEXT NOT NULL,
    disabled_at BIGINT,
    created_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX memberships_organization_user ON memberships (organization_id, user_id);
CREATE INDEX memberships_user ON memberships (user_id);

CREATE TABLE invitations (
    id BLOB PRIMARY KEY,
    organization_id BLOB NOT NULL REFERENCES organizations (id),
    email TEXT NOT NULL,
    role TEXT NOT NULL,
    token_hash BYTEA NOT NULL,
    invited_by BLOB NOT NULL REFERENCES users (id),
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    accepted_at BIGINT,
    revoked_at BIGINT
);
CREATE UNIQUE INDEX invitations_token ON invitations (token_hash);
CREATE INDEX invitations_organization ON invitations (organization_id);

CREATE TABLE vat_rates (
    id BLOB PRIMARY KEY,
    organization_id BLOB NOT NULL REFERENCES organizations (id),
    label TEXT NOT NULL,
    rate_bp INTEGER NOT NULL,
    archived_at BIGINT,
    created_at BIGINT NOT NULL
);
CREATE INDEX vat_rates_organization ON vat_rates (organization_id);

CREATE TABLE registers (
    id BLOB PRIMARY KEY,
    organization_id BLOB NOT NULL REFERENCES organizations (id),
    site_id BLOB NOT NULL REFERENCES sites (id),
    name TEXT NOT NULL,
    kind TEXT NOT NULL,
    street TEXT,
    postal_code TEXT,
    city TEXT,
    country TEXT,
    archived_at BIGINT,
    created_at BIGINT NOT NULL
);
CREATE INDEX registers_organization ON registers (organization_id);

CREATE TABLE api_keys (
    id BLOB PRIMARY KEY,
    organization_id BLOB NOT NULL REFERENCES organizations (id),
    name TEXT NOT NULL,
    role TEXT NOT NULL,
    prefix TEXT NOT NULL,
    secret_hash BYTEA NOT NULL,
    created_by BLOB REFERENCES users (id),
    created_at BIGINT NOT NULL,
    last_used_at BIGINT,
    revoked_at BIGINT
);
CREATE UNIQUE INDEX api_keys_secret ON api_keys (secret_hash);
CREATE INDEX api_keys_organization ON api_keys (organization_id);

-- Sessions live in the database so that several servers behind a load balancer share them.
-- The cookie holds a random token; only its SHA-256 is stored.
CREATE TABLE sessions (
    token_hash BYTEA PRIMARY KEY,
    user_id BLOB NOT NULL REFERENCES users (id),
    organization_id BLOB REFERENCES organizations (id),
    created_at BIGINT NOT NULL,
    last_seen_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL
);
CREATE INDEX sessions_user ON sessions (user_id);

-- Failed sign-ins, per e-mail and per client address, for throttling across servers.
CREATE TABLE login_failures (
    id BLOB PRIMARY KEY,
    throttle_key TEXT NOT NULL,
    failed_at BIGINT NOT NULL
);
CREATE INDEX login_failures_key ON login_failures (throttle_key, failed_at);
