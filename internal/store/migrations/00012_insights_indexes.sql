-- Indexes for the insights figures (#18), found with EXPLAIN (ANALYZE,
-- BUFFERS) of each figure's statement on 200,000 synthetic startups, once
-- the figures read the rows they total directly instead of joining them
-- back to a materialized list of the slice's startups:
--
-- investments (fund_id, startup_id) INCLUDE (amount_krw): investedByFund
--   (sum, count and distinct startups per fund) reads the index alone, in
--   fund and startup order, where it hashed every investment by fund and
--   startup and spilled to disk (about 790 ms; now about 40 ms).
-- stage_changes (startup_id, changed_on, id) INCLUDE (stage): the funnel's
--   days from the previous stage reads each startup's changes in order
--   from the index, without sorting all 657,000 of them.

-- +goose Up
CREATE INDEX investments_fund_startup_amount_idx ON investments (fund_id, startup_id) INCLUDE (amount_krw);
CREATE INDEX stage_changes_startup_changed_idx ON stage_changes (startup_id, changed_on, id) INCLUDE (stage);

-- +goose Down
DROP INDEX stage_changes_startup_changed_idx;
DROP INDEX investments_fund_startup_amount_idx;
