-- API keys: bearer tokens with a role. Only a SHA-256 hash of each key is
-- stored (keys are 256-bit random, so a fast hash is safe); the key itself
-- is shown once, when it is created.

-- +goose Up
CREATE TABLE api_keys (
    id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name           text NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
    role           text NOT NULL CHECK (role IN ('ADMIN', 'ANALYST', 'UNIVERSITY')),
    university_id  bigint REFERENCES universities (id) ON DELETE CASCADE,
    key_hash       bytea NOT NULL UNIQUE CHECK (length(key_hash) = 32),
    key_prefix     text NOT NULL,
    created_at     timestamptz NOT NULL DEFAULT now(),
    last_used_at   timestamptz,
    expires_at     timestamptz,
    revoked_at     timestamptz,
    CHECK ((role = 'UNIVERSITY') = (university_id IS NOT NULL))
);
CREATE INDEX api_keys_university_id_idx ON api_keys (university_id);

-- Scope predicates look up a university's teams by university.
CREATE INDEX assignments_university_startup_idx ON assignments (university_id, startup_id);

-- +goose Down
DROP INDEX assignments_university_startup_idx;
DROP TABLE api_keys;
