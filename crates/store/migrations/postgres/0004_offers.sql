-- Offers ("formules") in offer groups, with their price lines. Texts in fr/nl/en and the
-- schedule are stored as JSON text (written and read only through the domain's parsers);
-- civil dates as 'YYYY-MM-DD' text, which sorts as dates. Keep in step with ../sqlite/.

CREATE TABLE offer_groups (
    id UUID PRIMARY KEY,
    organization_id UUID NOT NULL REFERENCES organizations (id),
    name TEXT NOT NULL,
    position INTEGER NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX offer_groups_organization ON offer_groups (organization_id, position);

CREATE TABLE offers (
    id UUID PRIMARY KEY,
    organization_id UUID NOT NULL REFERENCES organizations (id),
    group_id UUID REFERENCES offer_groups (id),
    kind TEXT NOT NULL,
    name TEXT NOT NULL,
    texts_json TEXT NOT NULL,
    sale_pos BOOLEAN NOT NULL,
    sale_online BOOLEAN NOT NULL,
    duration_minutes INTEGER,
    difficulty TEXT,
    location TEXT,
    capacity BIGINT NOT NULL,
    online_cutoff_hours INTEGER NOT NULL,
    pos_cutoff_hours INTEGER NOT NULL,
    published_from TEXT,
    published_to TEXT,
    schedule_json TEXT NOT NULL,
    archived_at BIGINT,
    created_at BIGINT NOT NULL
);
CREATE INDEX offers_organization ON offers (organization_id, group_id);

CREATE TABLE offer_prices (
    id UUID PRIMARY KEY,
    organization_id UUID NOT NULL REFERENCES organizations (id),
    offer_id UUID NOT NULL REFERENCES offers (id),
    ticket_type_id UUID REFERENCES ticket_types (id),
    extra_id UUID REFERENCES extras (id),
    price_cents BIGINT NOT NULL,
    min_quantity INTEGER NOT NULL,
    max_quantity INTEGER,
    position INTEGER NOT NULL
);
CREATE INDEX offer_prices_offer ON offer_prices (organization_id, offer_id);
