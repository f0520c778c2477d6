-- An index for issue 18's groupings, found with EXPLAIN (ANALYZE,
-- BUFFERS) of the statement the server compiles, on 200,000 synthetic
-- startups (bench/README.md, `aggregates`):
--
-- investments (fund_id NULLS FIRST) INCLUDE (amount_krw): groupBy(by:
--   [FUND]) with count and sum { amount } (the dashboard's "KRW by fund")
--   hashed all 247,000 investments, then sorted the 402 funds and kept
--   the first 100. Groups come in key order, nulls first, so with this
--   index the statement reads the index in that order, aggregates each
--   fund as it passes and stops after the 100th: 60,551 index entries, no
--   heap page, 8-21 ms where it took 93-184 ms (a loaded 2-CPU machine).
--   The NULLS FIRST matters: an index in the default order (nulls last)
--   cannot give ORDER BY fund_id ASC NULLS FIRST, and the plan hashes.

-- +goose Up
CREATE INDEX investments_fund_amount_idx ON investments (fund_id NULLS FIRST) INCLUDE (amount_krw);

-- +goose Down
DROP INDEX investments_fund_amount_idx;
