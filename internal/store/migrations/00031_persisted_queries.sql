-- Automatic persisted queries shared by every server process (issue 22):
-- a query registered through one process is found by its hash through
-- any other. Each process keeps its own LRUs in front (graph/apq.go) and
-- comes here when they miss. keyed: registered with an API key. Anyone
-- may register without one, so anonymous rows are bounded apart: past
-- the bound the least recently used anonymous rows go, never a keyed one
-- (store.PersistQuery). last_used is kept to the hour.

-- +goose Up
CREATE TABLE persisted_queries (
    hash       text PRIMARY KEY CHECK (hash ~ '^[0-9a-f]{64}$'),
    query      text NOT NULL,
    keyed      boolean NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    last_used  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX persisted_queries_anonymous_idx ON persisted_queries (last_used) WHERE NOT keyed;

-- +goose Down
DROP TABLE persisted_queries;
