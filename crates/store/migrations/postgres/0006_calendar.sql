-- The site's calendar (opening hours for individuals and for groups), and offers that
-- follow it instead of having their own sessions. Keep in step with ../sqlite/.

CREATE TABLE calendars (
    organization_id UUID NOT NULL REFERENCES organizations (id),
    audience TEXT NOT NULL,
    calendar_json TEXT NOT NULL,
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (organization_id, audience)
);

ALTER TABLE offers ADD COLUMN follows_calendar TEXT;
