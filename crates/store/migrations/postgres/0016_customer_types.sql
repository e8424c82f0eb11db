-- Customer types (school, association, tour operator…): a discount and a tax treatment that
-- sales apply to their customers. Keep in step with ../sqlite/.

CREATE TABLE customer_types (
    id UUID PRIMARY KEY,
    organization_id UUID NOT NULL REFERENCES organizations (id),
    name TEXT NOT NULL,
    discount_bp INTEGER NOT NULL,
    -- standard, exempt or rate (with tax_rate_bp)
    tax TEXT NOT NULL,
    tax_rate_bp INTEGER,
    created_at BIGINT NOT NULL
);
CREATE INDEX customer_types_organization ON customer_types (organization_id);

ALTER TABLE customers ADD COLUMN customer_type_id UUID REFERENCES customer_types (id);
