-- The startup graph: startups (teams), mentors, overseas markets and
-- program cohorts, and the edges between them, each with facts of its own.
-- Every edge table has its own id: connections page over it (keyset).

-- +goose Up
CREATE EXTENSION IF NOT EXISTS pg_trgm;

CREATE TABLE markets (
    id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    key            text NOT NULL UNIQUE CHECK (key ~ '^[a-z0-9][a-z0-9-]{0,79}$'),
    code           text NOT NULL UNIQUE CHECK (code ~ '^[A-Z]{2}$' OR code ~ '^[A-Z][A-Z0-9-]{2,15}$'),
    kind           text NOT NULL CHECK (kind IN ('COUNTRY', 'REGION')),
    name_ko        text NOT NULL CHECK (length(name_ko) BETWEEN 1 AND 200),
    name_en        text NOT NULL CHECK (length(name_en) BETWEEN 1 AND 200),
    provenance     text NOT NULL DEFAULT 'API' CHECK (provenance IN ('ARTICLE', 'DEMO', 'SYNTHETIC', 'API')),
    created_at     timestamptz NOT NULL DEFAULT now(),
    updated_at     timestamptz NOT NULL DEFAULT now(),
    CHECK ((kind = 'COUNTRY') = (code ~ '^[A-Z]{2}$'))
);

CREATE TABLE cohorts (
    id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    key            text NOT NULL UNIQUE CHECK (key ~ '^[a-z0-9][a-z0-9-]{0,79}$'),
    program_id     bigint NOT NULL REFERENCES programs (id),
    name_ko        text NOT NULL CHECK (length(name_ko) BETWEEN 1 AND 200),
    name_en        text NOT NULL CHECK (length(name_en) BETWEEN 1 AND 200),
    year           integer NOT NULL CHECK (year BETWEEN 1990 AND 2100),
    team_quota     integer CHECK (team_quota > 0),
    provenance     text NOT NULL DEFAULT 'API' CHECK (provenance IN ('ARTICLE', 'DEMO', 'SYNTHETIC', 'API')),
    created_at     timestamptz NOT NULL DEFAULT now(),
    updated_at     timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX cohorts_program_id_idx ON cohorts (program_id, id);

CREATE TABLE startups (
    id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    key            text NOT NULL UNIQUE CHECK (key ~ '^[a-z0-9][a-z0-9-]{0,79}$'),
    name_ko        text NOT NULL CHECK (length(name_ko) BETWEEN 1 AND 200),
    name_en        text NOT NULL CHECK (length(name_en) BETWEEN 1 AND 200),
    description_ko text,
    description_en text,
    stage          text NOT NULL CHECK (stage IN ('IDEA', 'FOUNDING', 'PROTOTYPE', 'R_AND_D', 'MARKETING',
                                                  'INVESTMENT', 'FINANCING', 'OVERSEAS_EXPANSION')),
    founded_on     date,
    facility_id    bigint REFERENCES facilities (id),
    provenance     text NOT NULL DEFAULT 'API' CHECK (provenance IN ('ARTICLE', 'DEMO', 'SYNTHETIC', 'API')),
    created_at     timestamptz NOT NULL DEFAULT now(),
    updated_at     timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX startups_name_en_idx ON startups (name_en, id);
CREATE INDEX startups_name_ko_idx ON startups (name_ko, id);
CREATE INDEX startups_founded_on_idx ON startups ((COALESCE(founded_on, DATE '0001-01-01')), id);
CREATE INDEX startups_stage_idx ON startups (stage, id);
CREATE INDEX startups_facility_id_idx ON startups (facility_id);
-- partial-match name search in either language
CREATE INDEX startups_name_search_idx ON startups USING gin ((name_ko || ' ' || name_en) gin_trgm_ops);

-- The history of growth stages; the current stage is also on startups.
CREATE TABLE stage_changes (
    id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    startup_id     bigint NOT NULL REFERENCES startups (id) ON DELETE CASCADE,
    stage          text NOT NULL CHECK (stage IN ('IDEA', 'FOUNDING', 'PROTOTYPE', 'R_AND_D', 'MARKETING',
                                                  'INVESTMENT', 'FINANCING', 'OVERSEAS_EXPANSION')),
    changed_on     date NOT NULL,
    note           text,
    created_at     timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX stage_changes_startup_id_idx ON stage_changes (startup_id, id);

CREATE TABLE startup_sectors (
    id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    startup_id     bigint NOT NULL REFERENCES startups (id) ON DELETE CASCADE,
    sector_id      bigint NOT NULL REFERENCES sectors (id),
    UNIQUE (startup_id, sector_id)
);
CREATE INDEX startup_sectors_sector_id_idx ON startup_sectors (sector_id, id);
CREATE INDEX startup_sectors_startup_id_idx ON startup_sectors (startup_id, id);

-- A university's assignment of a team.
CREATE TABLE assignments (
    id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    university_id  bigint NOT NULL REFERENCES universities (id),
    startup_id     bigint NOT NULL REFERENCES startups (id) ON DELETE CASCADE,
    purpose        text NOT NULL CHECK (purpose IN ('JOINT_PROJECT', 'OVERSEAS_STRATEGY', 'INTERNSHIP')),
    status         text NOT NULL CHECK (status IN ('ACTIVE', 'COMPLETED', 'ENDED')),
    since          date NOT NULL,
    until          date CHECK (until IS NULL OR until >= since),
    provenance     text NOT NULL DEFAULT 'API' CHECK (provenance IN ('ARTICLE', 'DEMO', 'SYNTHETIC', 'API')),
    created_at     timestamptz NOT NULL DEFAULT now(),
    UNIQUE (university_id, startup_id, purpose)
);
CREATE INDEX assignments_startup_id_idx ON assignments (startup_id, id);
CREATE INDEX assignments_university_id_idx ON assignments (university_id, id);

-- Mentors (experts); the 26 task-force experts are mentors. A mentor is
-- affiliated with a university or an organization, or neither.
CREATE TABLE mentors (
    id                        bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    key                       text NOT NULL UNIQUE CHECK (key ~ '^[a-z0-9][a-z0-9-]{0,79}$'),
    name_ko                   text NOT NULL CHECK (length(name_ko) BETWEEN 1 AND 200),
    name_en                   text NOT NULL CHECK (length(name_en) BETWEEN 1 AND 200),
    title_ko                  text,
    title_en                  text,
    task_force_member         boolean NOT NULL DEFAULT false,
    affiliated_university_id  bigint REFERENCES universities (id),
    affiliated_organization_id bigint REFERENCES organizations (id),
    languages                 text[] NOT NULL DEFAULT '{}',
    provenance                text NOT NULL DEFAULT 'API' CHECK (provenance IN ('ARTICLE', 'DEMO', 'SYNTHETIC', 'API')),
    created_at                timestamptz NOT NULL DEFAULT now(),
    updated_at                timestamptz NOT NULL DEFAULT now(),
    CHECK (affiliated_university_id IS NULL OR affiliated_organization_id IS NULL)
);
CREATE INDEX mentors_name_en_idx ON mentors (name_en, id);
CREATE INDEX mentors_university_idx ON mentors (affiliated_university_id, id);
CREATE INDEX mentors_organization_idx ON mentors (affiliated_organization_id, id);
CREATE INDEX mentors_name_search_idx ON mentors USING gin ((name_ko || ' ' || name_en) gin_trgm_ops);

CREATE TABLE mentor_sectors (
    id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    mentor_id      bigint NOT NULL REFERENCES mentors (id) ON DELETE CASCADE,
    sector_id      bigint NOT NULL REFERENCES sectors (id),
    UNIQUE (mentor_id, sector_id)
);
CREATE INDEX mentor_sectors_sector_id_idx ON mentor_sectors (sector_id, id);
CREATE INDEX mentor_sectors_mentor_id_idx ON mentor_sectors (mentor_id, id);

CREATE TABLE mentorships (
    id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    mentor_id      bigint NOT NULL REFERENCES mentors (id),
    startup_id     bigint NOT NULL REFERENCES startups (id) ON DELETE CASCADE,
    focus          text NOT NULL CHECK (length(focus) BETWEEN 1 AND 200),
    since          date NOT NULL,
    until          date CHECK (until IS NULL OR until >= since),
    provenance     text NOT NULL DEFAULT 'API' CHECK (provenance IN ('ARTICLE', 'DEMO', 'SYNTHETIC', 'API')),
    created_at     timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX mentorships_startup_id_idx ON mentorships (startup_id, id);
CREATE INDEX mentorships_mentor_id_idx ON mentorships (mentor_id, id);

-- An investment or grant from a fund into a startup.
CREATE TABLE investments (
    id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    fund_id        bigint NOT NULL REFERENCES funds (id),
    startup_id     bigint NOT NULL REFERENCES startups (id) ON DELETE CASCADE,
    amount_krw     bigint NOT NULL CHECK (amount_krw >= 0),
    invested_on    date NOT NULL,
    round          text NOT NULL CHECK (round IN ('GRANT', 'SEED', 'PRE_SERIES_A', 'SERIES_A', 'SERIES_B', 'BRIDGE', 'LOAN')),
    provenance     text NOT NULL DEFAULT 'API' CHECK (provenance IN ('ARTICLE', 'DEMO', 'SYNTHETIC', 'API')),
    created_at     timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX investments_fund_id_idx ON investments (fund_id, id);
CREATE INDEX investments_startup_id_idx ON investments (startup_id, id);
CREATE INDEX investments_invested_on_idx ON investments (invested_on, id);

-- A startup's target overseas market.
CREATE TABLE market_targets (
    id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    startup_id     bigint NOT NULL REFERENCES startups (id) ON DELETE CASCADE,
    market_id      bigint NOT NULL REFERENCES markets (id),
    status         text NOT NULL CHECK (status IN ('EXPLORING', 'LOCALIZING', 'ENTERED')),
    priority       integer NOT NULL DEFAULT 3 CHECK (priority BETWEEN 1 AND 5),
    program_id     bigint REFERENCES programs (id),
    since          date NOT NULL,
    provenance     text NOT NULL DEFAULT 'API' CHECK (provenance IN ('ARTICLE', 'DEMO', 'SYNTHETIC', 'API')),
    created_at     timestamptz NOT NULL DEFAULT now(),
    UNIQUE (startup_id, market_id)
);
CREATE INDEX market_targets_market_id_idx ON market_targets (market_id, id);
CREATE INDEX market_targets_startup_id_idx ON market_targets (startup_id, id);

-- A startup's membership of a program cohort.
CREATE TABLE memberships (
    id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    cohort_id      bigint NOT NULL REFERENCES cohorts (id),
    startup_id     bigint NOT NULL REFERENCES startups (id) ON DELETE CASCADE,
    joined_on      date NOT NULL,
    provenance     text NOT NULL DEFAULT 'API' CHECK (provenance IN ('ARTICLE', 'DEMO', 'SYNTHETIC', 'API')),
    created_at     timestamptz NOT NULL DEFAULT now(),
    UNIQUE (cohort_id, startup_id)
);
CREATE INDEX memberships_cohort_id_idx ON memberships (cohort_id, id);
CREATE INDEX memberships_startup_id_idx ON memberships (startup_id, id);

-- Outcomes a startup reports: the figures the city reports on.
CREATE TABLE outcomes (
    id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    startup_id     bigint NOT NULL REFERENCES startups (id) ON DELETE CASCADE,
    kind           text NOT NULL CHECK (kind IN ('PATENT_DOMESTIC', 'PATENT_FOREIGN', 'INVESTMENT_ATTRACTED',
                                                 'EXPORT_CONTRACT', 'JOBS_CREATED')),
    reported_on    date NOT NULL,
    quantity       integer NOT NULL DEFAULT 1 CHECK (quantity >= 0),
    amount_krw     bigint CHECK (amount_krw >= 0),
    market_id      bigint REFERENCES markets (id),
    note           text,
    provenance     text NOT NULL DEFAULT 'API' CHECK (provenance IN ('ARTICLE', 'DEMO', 'SYNTHETIC', 'API')),
    created_at     timestamptz NOT NULL DEFAULT now(),
    CHECK (kind <> 'EXPORT_CONTRACT' OR market_id IS NOT NULL)
);
CREATE INDEX outcomes_startup_id_idx ON outcomes (startup_id, id);
CREATE INDEX outcomes_market_id_idx ON outcomes (market_id, id);

-- Paging over the reference tables by name.
CREATE INDEX organizations_name_en_idx ON organizations (name_en, id);
CREATE INDEX programs_name_en_idx ON programs (name_en, id);
CREATE INDEX funds_name_en_idx ON funds (name_en, id);
CREATE INDEX sectors_name_en_idx ON sectors (name_en, id);
CREATE INDEX program_organizations_program_id_idx ON program_organizations (program_id);

-- +goose Down
DROP TABLE outcomes;
DROP TABLE memberships;
DROP TABLE market_targets;
DROP TABLE investments;
DROP TABLE mentorships;
DROP TABLE mentor_sectors;
DROP TABLE mentors;
DROP TABLE assignments;
DROP TABLE startup_sectors;
DROP TABLE stage_changes;
DROP TABLE startups;
DROP TABLE cohorts;
DROP TABLE markets;
DROP INDEX organizations_name_en_idx;
DROP INDEX programs_name_en_idx;
DROP INDEX funds_name_en_idx;
DROP INDEX sectors_name_en_idx;
DROP INDEX program_organizations_program_id_idx;
