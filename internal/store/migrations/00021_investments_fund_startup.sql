-- The investments' groupBy by fund (the first 100 funds) reads the
-- (fund_id) INCLUDE (amount_krw) index of migration 00011 in order and
-- stops after 100 funds, from the index alone. The archive guards (issue
-- 19) also read each investment's startup_id (its startup must not be
-- archived), which that index lacks: the scan went to the heap (8 -> 40
-- ms at 200,000 startups, EXPLAIN ANALYZE after VACUUM). With startup_id
-- included, the scan stays index-only (10 ms).

-- +goose Up
CREATE INDEX investments_fund_amount_startup_idx ON investments (fund_id NULLS FIRST) INCLUDE (amount_krw, startup_id);
DROP INDEX investments_fund_amount_idx;

-- +goose Down
CREATE INDEX investments_fund_amount_idx ON investments (fund_id NULLS FIRST) INCLUDE (amount_krw);
DROP INDEX investments_fund_amount_startup_idx;
