-- Promotions (applied by themselves) and promo codes (typed at the register or online).
-- A discount is a kind ('percent' in basis points, 'amount' in cents) and a value; civil
-- dates as 'YYYY-MM-DD' text; weekdays as 'mon,sat' text (empty = every day). What they
-- apply to is kept in join tables. Codes are stored upper case and never reused within an
-- organization (archived codes keep theirs). Keep in step with ../sqlite/ (same versions;
-- a test compares the resulting schemas).

CREATE TABLE promotions (
    id UUID PRIMARY KEY,
    organization_id UUID NOT NULL REFERENCES organizations (id),
    name TEXT NOT NULL,
    description TEXT,
    discount_kind TEXT NOT NULL,
    discount_value BIGINT NOT NULL,
    model TEXT NOT NULL,
    model_days INTEGER,
    valid_from TEXT,
    valid_to TEXT,
    published_from TEXT,
    published_to TEXT,
    weekdays TEXT NOT NULL,
    archived_at BIGINT,
    created_at BIGINT NOT NULL
);
CREATE INDEX promotions_organization ON promotions (organization_id, archived_at);

CREATE TABLE promotion_offers (
    id UUID PRIMARY KEY,
    organization_id UUID NOT NULL REFERENCES organizations (id),
    promotion_id UUID NOT NULL REFERENCES promotions (id),
    offer_id UUID NOT NULL REFERENCES offers (id)
);
CREATE INDEX promotion_offers_promotion ON promotion_offers (organization_id, promotion_id);

CREATE TABLE promo_codes (
    id UUID PRIMARY KEY,
    organization_id UUID NOT NULL REFERENCES organizations (id),
    name TEXT NOT NULL,
    code TEXT NOT NULL,
    description TEXT,
    discount_kind TEXT NOT NULL,
    discount_value BIGINT NOT NULL,
    uses BIGINT NOT NULL DEFAULT 0,
    max_uses BIGINT,
    valid_from TEXT,
    valid_to TEXT,
    published_from TEXT,
    published_to TEXT,
    archived_at BIGINT,
    created_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX promo_codes_code ON promo_codes (organization_id, code);

CREATE TABLE promo_code_offers (
    id UUID PRIMARY KEY,
    organization_id UUID NOT NULL REFERENCES organizations (id),
    promo_code_id UUID NOT NULL REFERENCES promo_codes (id),
    offer_id UUID NOT NULL REFERENCES offers (id)
);
CREATE INDEX promo_code_offers_code ON promo_code_offers (organization_id, promo_code_id);

CREATE TABLE promo_code_items (
    id UUID PRIMARY KEY,
    organization_id UUID NOT NULL REFERENCES organizations (id),
    promo_code_id UUID NOT NULL REFERENCES promo_codes (id),
    ticket_type_id UUID REFERENCES ticket_types (id),
    extra_id UUID REFERENCES extras (id)
);
CREATE INDEX promo_code_items_code ON promo_code_items (organization_id, promo_code_id);

CREATE TABLE promo_code_products (
    id UUID PRIMARY KEY,
    organization_id UUID NOT NULL REFERENCES organizations (id),
    promo_code_id UUID NOT NULL REFERENCES promo_codes (id),
    product_id UUID NOT NULL REFERENCES products (id)
);
CREATE INDEX promo_code_products_code ON promo_code_products (organization_id, promo_code_id);
