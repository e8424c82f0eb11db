-- Fields an organization adds to its customer file (a member number, a school's class…), and
-- each customer's values for them as JSON {field id: value}. Keep in step with ../postgres/.

CREATE TABLE customer_fields (
    id BLOB PRIMARY KEY,
    organization_id BLOB NOT NULL REFERENCES organizations (id),
    name TEXT NOT NULL,
    -- text, number, date or yes_no
    kind TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX customer_fields_organization ON customer_fields (organization_id);

ALTER TABLE customers ADD COLUMN custom_values TEXT NOT NULL DEFAULT '{}';
