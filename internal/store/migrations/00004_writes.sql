-- Writes: versions for optimistic locking, archiving, the audit trail and
-- idempotency keys.

-- +goose Up
ALTER TABLE startups    ADD COLUMN version integer NOT NULL DEFAULT 1, ADD COLUMN archived_at timestamptz;
ALTER TABLE mentors     ADD COLUMN version integer NOT NULL DEFAULT 1, ADD COLUMN archived_at timestamptz;
ALTER TABLE funds       ADD COLUMN version integer NOT NULL DEFAULT 1, ADD COLUMN archived_at timestamptz;
ALTER TABLE markets     ADD COLUMN version integer NOT NULL DEFAULT 1, ADD COLUMN archived_at timestamptz;
ALTER TABLE programs    ADD COLUMN version integer NOT NULL DEFAULT 1, ADD COLUMN archived_at timestamptz;
ALTER TABLE cohorts     ADD COLUMN version integer NOT NULL DEFAULT 1, ADD COLUMN archived_at timestamptz;
ALTER TABLE investments ADD COLUMN version integer NOT NULL DEFAULT 1;

-- Every mutation writes one record in its own transaction: who (API key and
-- role), what (mutation, entity, id), when, and the values before and after.
CREATE TABLE audit_log (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    at            timestamptz NOT NULL DEFAULT now(),
    actor_key_id  bigint,
    actor_name    text NOT NULL,
    actor_role    text NOT NULL,
    request_id    text,
    action        text NOT NULL,
    entity_type   text NOT NULL,
    entity_id     bigint NOT NULL,
    before        jsonb,
    after         jsonb
);
CREATE INDEX audit_log_entity_idx ON audit_log (entity_type, entity_id, id);
CREATE INDEX audit_log_actor_idx ON audit_log (actor_key_id, id);

-- A create mutation retried with the same key (per API key) returns the
-- first result instead of creating a duplicate.
CREATE TABLE idempotency_keys (
    api_key_id    bigint NOT NULL,
    key           text NOT NULL CHECK (length(key) BETWEEN 1 AND 200),
    action        text NOT NULL,
    request_hash  bytea NOT NULL,
    entity_type   text NOT NULL,
    entity_id     bigint NOT NULL,
    created_at    timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (api_key_id, key)
);

-- +goose Down
DROP TABLE idempotency_keys;
DROP TABLE audit_log;
ALTER TABLE investments DROP COLUMN version;
ALTER TABLE cohorts     DROP COLUMN version, DROP COLUMN archived_at;
ALTER TABLE programs    DROP COLUMN version, DROP COLUMN archived_at;
ALTER TABLE markets     DROP COLUMN version, DROP COLUMN archived_at;
ALTER TABLE funds       DROP COLUMN version, DROP COLUMN archived_at;
ALTER TABLE mentors     DROP COLUMN version, DROP COLUMN archived_at;
ALTER TABLE startups    DROP COLUMN version, DROP COLUMN archived_at;
