-- The full customer file: status, company, address, language, birth date, discount and tax
-- flags, bank details, tags, notes and communication consents with the date they were given.
-- Keep in step with ../sqlite/.

ALTER TABLE customers ADD COLUMN status TEXT NOT NULL DEFAULT 'customer';
ALTER TABLE customers ADD COLUMN company TEXT;
ALTER TABLE customers ADD COLUMN street TEXT;
ALTER TABLE customers ADD COLUMN city TEXT;
ALTER TABLE customers ADD COLUMN language TEXT;
ALTER TABLE customers ADD COLUMN birth_date TEXT;
-- Personal discount in basis points (9 % = 900).
ALTER TABLE customers ADD COLUMN discount_bp INTEGER NOT NULL DEFAULT 0;
ALTER TABLE customers ADD COLUMN vat_exempt BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE customers ADD COLUMN institutional BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE customers ADD COLUMN iban TEXT;
ALTER TABLE customers ADD COLUMN bic TEXT;
ALTER TABLE customers ADD COLUMN balance_limit_cents BIGINT;
ALTER TABLE customers ADD COLUMN loyalty BOOLEAN NOT NULL DEFAULT FALSE;
-- Comma-separated, as typed (trimmed).
ALTER TABLE customers ADD COLUMN tags TEXT NOT NULL DEFAULT '';
ALTER TABLE customers ADD COLUMN notes TEXT;
-- When each consent was given (microseconds); NULL: not given.
ALTER TABLE customers ADD COLUMN consent_email_at BIGINT;
ALTER TABLE customers ADD COLUMN consent_sms_at BIGINT;
ALTER TABLE customers ADD COLUMN consent_post_at BIGINT;
ALTER TABLE customers ADD COLUMN updated_at BIGINT;
CREATE INDEX customers_org_created ON customers (organization_id, created_at);
CREATE INDEX orders_customer ON orders (customer_id, created_at);
