-- Every KRW amount the API accepts is at most 1,000,000,000,000,000 KRW
-- (model.MaxKRW): below 2^53, so JavaScript clients read it exactly, and
-- small enough that sums of realistic data never approach bigint's range.
-- The same bound holds here for writes that bypass the API (imports,
-- psql). NOT VALID: rows already stored are not checked (a database that
-- holds a larger amount still migrates and serves; insights reports a
-- total beyond 2^53-1 as VALUE_OUT_OF_RANGE on that figure), while every
-- new or changed row is.

-- +goose Up
ALTER TABLE investments ADD CONSTRAINT investments_amount_krw_max CHECK (amount_krw <= 1000000000000000) NOT VALID;
ALTER TABLE outcomes ADD CONSTRAINT outcomes_amount_krw_max CHECK (amount_krw <= 1000000000000000) NOT VALID;
ALTER TABLE funds ADD CONSTRAINT funds_size_krw_max CHECK (size_krw <= 1000000000000000) NOT VALID;

-- +goose Down
ALTER TABLE funds DROP CONSTRAINT funds_size_krw_max;
ALTER TABLE outcomes DROP CONSTRAINT outcomes_amount_krw_max;
ALTER TABLE investments DROP CONSTRAINT investments_amount_krw_max;
