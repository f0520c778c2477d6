-- A mentor's overseas-market experience: the markets a mentor has worked
-- in, sold to or advised on, since when, and a note. A team that targets
-- a market looks for mentors who know it (Market.mentors), and a mentor's
-- page says where they can help (Mentor.markets). Declared in
-- internal/relation as the relationship "mentor-markets".

-- +goose Up
CREATE TABLE mentor_markets (
    id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    mentor_id      bigint NOT NULL REFERENCES mentors (id) ON DELETE CASCADE,
    market_id      bigint NOT NULL REFERENCES markets (id),
    since          date NOT NULL,
    note           text CHECK (note IS NULL OR length(note) BETWEEN 1 AND 500),
    provenance     text NOT NULL DEFAULT 'API' CHECK (provenance IN ('ARTICLE', 'DEMO', 'SYNTHETIC', 'API')),
    created_at     timestamptz NOT NULL DEFAULT now(),
    UNIQUE (mentor_id, market_id)
);
CREATE INDEX mentor_markets_market_id_idx ON mentor_markets (market_id, id);
CREATE INDEX mentor_markets_mentor_id_idx ON mentor_markets (mentor_id, id);

-- +goose Down
DROP TABLE mentor_markets;
