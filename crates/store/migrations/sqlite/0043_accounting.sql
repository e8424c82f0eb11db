-- The accountant's exports (issue 18 §4): an organization's accounting settings. The figures
-- are read from the sales, payments, Zs and Stripe's records; nothing is aggregated here.
-- Keep in step with ../postgres/.
CREATE TABLE accounting_settings (
    organization_id BLOB PRIMARY KEY REFERENCES organizations (id),
    -- BE or FR: the chart of accounts the defaults follow.
    country TEXT NOT NULL,
    -- JSON {"revenue": "700100", …}: the accounts that differ from the country's defaults.
    accounts TEXT NOT NULL,
    journal_code TEXT NOT NULL,
    -- 9 digits, for the FEC's file name.
    siren TEXT,
    accountant_email TEXT,
    weekly_mail BOOLEAN NOT NULL DEFAULT FALSE,
    -- The Monday (YYYY-MM-DD) of the last week whose exports were mailed.
    last_week_mailed TEXT,
    updated_at BIGINT NOT NULL,
    updated_by BLOB REFERENCES users (id)
);
