-- Online booking modules (issue 16 §1): what the attraction embeds in its own website, and
-- the public slugs of their address `/book/{organization}/{module}`. Keep in step with
-- ../sqlite/.

-- The organization's public slug, from its name: lower case, common accents folded, other
-- characters a dash; names that share a slug get the end of their id as a suffix, names
-- that give no usable slug get `org-` and the end of their id. New organizations get theirs
-- from the application. Nullable as in ../sqlite/ (which cannot add a NOT NULL column without
-- a default); every organization has one.
ALTER TABLE organizations ADD COLUMN slug TEXT;

UPDATE organizations SET slug = btrim(
    replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(
    replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(
    replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(
        lower(trim(name)),
        'é', 'e'), 'è', 'e'), 'ê', 'e'), 'ë', 'e'), 'à', 'a'), 'â', 'a'), 'ä', 'a'),
        'î', 'i'), 'ï', 'i'), 'ô', 'o'), 'ö', 'o'), 'û', 'u'), 'ü', 'u'), 'ù', 'u'),
        'ç', 'c'), 'É', 'e'), 'È', 'e'), 'À', 'a'), 'Ç', 'c'), 'œ', 'oe'),
        ' ', '-'), '''', '-'), '.', '-'), ',', '-'), '&', '-'), '/', '-'), '(', '-'),
        ')', '-'), '_', '-'), '’', '-'),
    '-');
UPDATE organizations SET slug = replace(replace(replace(slug, '----', '-'), '---', '-'), '--', '-');
UPDATE organizations SET slug = replace(slug, '--', '-');
UPDATE organizations SET slug = substr(slug, 1, 40);
UPDATE organizations SET slug = btrim(slug, '-');
UPDATE organizations SET slug = 'org-' || substr(replace(id::text, '-', ''), 25, 8)
    WHERE slug = '' OR slug !~ '^[a-z0-9-]+$' OR slug LIKE '%--%';
UPDATE organizations SET slug = slug || '-' || substr(replace(id::text, '-', ''), 25, 8)
    WHERE EXISTS (SELECT 1 FROM organizations o WHERE o.slug = organizations.slug
        AND (o.created_at < organizations.created_at
            OR (o.created_at = organizations.created_at AND o.id < organizations.id)));
CREATE UNIQUE INDEX organizations_slug ON organizations (slug);

CREATE TABLE booking_modules (
    id UUID PRIMARY KEY,
    organization_id UUID NOT NULL REFERENCES organizations (id),
    slug TEXT NOT NULL,
    name TEXT NOT NULL,
    -- engine, button, calendar
    kind TEXT NOT NULL,
    -- NULL: every offer sold online
    offer_id UUID REFERENCES offers (id),
    -- fr, nl, en, browser
    language TEXT NOT NULL,
    return_url TEXT,
    -- The required booking fields, comma-separated (last_name,first_name,email,…); the
    -- others are optional.
    required_fields TEXT NOT NULL,
    primary_color TEXT NOT NULL,
    background_color TEXT NOT NULL,
    text_color TEXT NOT NULL,
    analytics_id TEXT,
    -- Host names allowed to frame the flow, space-separated.
    frame_domains TEXT NOT NULL,
    archived_at BIGINT,
    created_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX booking_modules_slug ON booking_modules (organization_id, slug);
CREATE UNIQUE INDEX booking_modules_name ON booking_modules (organization_id, name);
CREATE INDEX booking_modules_offer ON booking_modules (offer_id);
