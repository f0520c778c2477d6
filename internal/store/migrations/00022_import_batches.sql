-- Imports (issue 20): a workbook or a set of CSV files applied in one
-- transaction is one batch. The batch keeps the files' SHA-256 checksum
-- (of each file, in order, and of them together), who imported it and
-- what it created and updated; its one audit record (entity_type
-- 'ImportBatch') points at it.

-- +goose Up
CREATE TABLE import_batches (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    checksum     text NOT NULL CHECK (checksum ~ '^[0-9a-f]{64}$'),
    files        jsonb NOT NULL,
    counts       jsonb NOT NULL,
    actor_key_id bigint,
    actor_name   text NOT NULL,
    created_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX import_batches_checksum_idx ON import_batches (checksum);

-- +goose Down
DROP TABLE import_batches;
