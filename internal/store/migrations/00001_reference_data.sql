-- Reference data of the Incheon Global Startup Campus network: the
-- organizations, partner universities, sectors, programs, funds and campus
-- facilities named in the source article (../shared/DOMAIN.md).
--
-- Conventions for every node table:
--   id          internal surrogate key; clients see an opaque global id.
--   key         stable, human-readable slug; seeds upsert on it.
--   name_ko/en  both names are required (Korean for city staff, English
--               for partner universities).
--   provenance  ARTICLE (a fact of the article), DEMO (invented demo data),
--               SYNTHETIC (generated load data) or API (written by a client).

-- +goose Up
CREATE TABLE organizations (
    id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    key            text NOT NULL UNIQUE CHECK (key ~ '^[a-z0-9][a-z0-9-]{0,79}$'),
    name_ko        text NOT NULL CHECK (length(name_ko) BETWEEN 1 AND 200),
    name_en        text NOT NULL CHECK (length(name_en) BETWEEN 1 AND 200),
    kind           text NOT NULL CHECK (kind IN ('CITY_GOVERNMENT', 'GOVERNMENT_AGENCY', 'PUBLIC_AGENCY',
                                                 'FOUNDATION', 'SUPPORT_CENTER', 'TEAM', 'TASK_FORCE', 'COMPANY')),
    parent_id      bigint REFERENCES organizations (id),
    mou_partner    boolean NOT NULL DEFAULT false,
    description_ko text,
    description_en text,
    provenance     text NOT NULL DEFAULT 'API' CHECK (provenance IN ('ARTICLE', 'DEMO', 'SYNTHETIC', 'API')),
    created_at     timestamptz NOT NULL DEFAULT now(),
    updated_at     timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX organizations_parent_id_idx ON organizations (parent_id);

CREATE TABLE universities (
    id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    key            text NOT NULL UNIQUE CHECK (key ~ '^[a-z0-9][a-z0-9-]{0,79}$'),
    name_ko        text NOT NULL CHECK (length(name_ko) BETWEEN 1 AND 200),
    name_en        text NOT NULL CHECK (length(name_en) BETWEEN 1 AND 200),
    short_name     text NOT NULL CHECK (length(short_name) BETWEEN 1 AND 40),
    home_country   char(2) NOT NULL CHECK (home_country ~ '^[A-Z]{2}$'),
    mou_partner    boolean NOT NULL DEFAULT false,
    description_ko text,
    description_en text,
    provenance     text NOT NULL DEFAULT 'API' CHECK (provenance IN ('ARTICLE', 'DEMO', 'SYNTHETIC', 'API')),
    created_at     timestamptz NOT NULL DEFAULT now(),
    updated_at     timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE sectors (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    key             text NOT NULL UNIQUE CHECK (key ~ '^[a-z0-9][a-z0-9-]{0,79}$'),
    name_ko         text NOT NULL CHECK (length(name_ko) BETWEEN 1 AND 200),
    name_en         text NOT NULL CHECK (length(name_en) BETWEEN 1 AND 200),
    task_force_field boolean NOT NULL DEFAULT false,
    description_ko  text,
    description_en  text,
    provenance      text NOT NULL DEFAULT 'API' CHECK (provenance IN ('ARTICLE', 'DEMO', 'SYNTHETIC', 'API')),
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE programs (
    id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    key            text NOT NULL UNIQUE CHECK (key ~ '^[a-z0-9][a-z0-9-]{0,79}$'),
    name_ko        text NOT NULL CHECK (length(name_ko) BETWEEN 1 AND 200),
    name_en        text NOT NULL CHECK (length(name_en) BETWEEN 1 AND 200),
    kind           text NOT NULL CHECK (kind IN ('NATIONAL_PROGRAM', 'CAMPUS_PROGRAM', 'GLOBAL_EXPANSION',
                                                 'FRAMEWORK', 'WORKSHOP')),
    description_ko text,
    description_en text,
    provenance     text NOT NULL DEFAULT 'API' CHECK (provenance IN ('ARTICLE', 'DEMO', 'SYNTHETIC', 'API')),
    created_at     timestamptz NOT NULL DEFAULT now(),
    updated_at     timestamptz NOT NULL DEFAULT now()
);

-- The roles organizations play in a program (SMBA sponsors Smart Venture
-- Campus; Incheon Technopark hosts it for the Incheon-Gyeonggi region).
CREATE TABLE program_organizations (
    id              bigint GENERATED ALWAYS AS IDENTITY UNIQUE,
    program_id      bigint NOT NULL REFERENCES programs (id) ON DELETE CASCADE,
    organization_id bigint NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    role            text NOT NULL CHECK (role IN ('HOST', 'SPONSOR', 'OPERATOR')),
    PRIMARY KEY (program_id, organization_id, role)
);
CREATE INDEX program_organizations_organization_id_idx ON program_organizations (organization_id);

CREATE TABLE funds (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    key             text NOT NULL UNIQUE CHECK (key ~ '^[a-z0-9][a-z0-9-]{0,79}$'),
    name_ko         text NOT NULL CHECK (length(name_ko) BETWEEN 1 AND 200),
    name_en         text NOT NULL CHECK (length(name_en) BETWEEN 1 AND 200),
    kind            text NOT NULL CHECK (kind IN ('VENTURE_FUND', 'GOVERNMENT_GRANT')),
    size_krw        bigint NOT NULL CHECK (size_krw >= 0),
    manager_id      bigint REFERENCES organizations (id),
    sponsor_id      bigint REFERENCES organizations (id),
    program_id      bigint REFERENCES programs (id),
    vintage_year    integer CHECK (vintage_year BETWEEN 1990 AND 2100),
    description_ko  text,
    description_en  text,
    provenance      text NOT NULL DEFAULT 'API' CHECK (provenance IN ('ARTICLE', 'DEMO', 'SYNTHETIC', 'API')),
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX funds_manager_id_idx ON funds (manager_id);
CREATE INDEX funds_sponsor_id_idx ON funds (sponsor_id);
CREATE INDEX funds_program_id_idx ON funds (program_id);

-- The campus and its spaces: a tree whose root is the Global Startup Campus.
CREATE TABLE facilities (
    id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    key            text NOT NULL UNIQUE CHECK (key ~ '^[a-z0-9][a-z0-9-]{0,79}$'),
    name_ko        text NOT NULL CHECK (length(name_ko) BETWEEN 1 AND 200),
    name_en        text NOT NULL CHECK (length(name_en) BETWEEN 1 AND 200),
    kind           text NOT NULL CHECK (kind IN ('CAMPUS', 'RESIDENT_OFFICE', 'PROTOTYPE_WORKSHOP', 'MEETING_ROOM',
                                                 'DESIGN_LAB', 'WORKSTATION', 'LOUNGE')),
    parent_id      bigint REFERENCES facilities (id),
    operator_id    bigint REFERENCES organizations (id),
    area_m2        integer CHECK (area_m2 > 0),
    opens_in       text CHECK (opens_in ~ '^[0-9]{4}-(0[1-9]|1[0-2])$'),
    location_ko    text,
    location_en    text,
    provenance     text NOT NULL DEFAULT 'API' CHECK (provenance IN ('ARTICLE', 'DEMO', 'SYNTHETIC', 'API')),
    created_at     timestamptz NOT NULL DEFAULT now(),
    updated_at     timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX facilities_parent_id_idx ON facilities (parent_id);
CREATE INDEX facilities_operator_id_idx ON facilities (operator_id);

-- +goose Down
DROP TABLE facilities;
DROP TABLE funds;
DROP TABLE program_organizations;
DROP TABLE programs;
DROP TABLE sectors;
DROP TABLE universities;
DROP TABLE organizations;
