-- Indexes for issue 17's questions (examples/question-*.graphql), each
-- found with EXPLAIN (ANALYZE, BUFFERS) of the statements the server
-- compiles, on 200,000 synthetic startups (bench/README.md, `questions`).
-- Each lets a predicate or an ordering figure read only the index entries
-- it needs, where it read a whole table or every matching row's heap page:
--
-- stage_changes (stage, changed_on, startup_id): stageHistory: { some:
--   { stage: { eq: INVESTMENT }, changedOn: { gte, lt } } } (question 4)
--   read all 657,000 stage changes (a parallel sequential scan); now the
--   3,529 entries of the stage and date range.
-- outcomes (kind, startup_id) INCLUDE (quantity, amount_krw): outcomes:
--   { some: { kind: ... } } (question 10) and the figures JOBS_CREATED,
--   PATENTS and EXPORT_VALUE (questions 9 and 10) read each startup's
--   outcomes of one kind from the index alone.
-- investments (startup_id) INCLUDE (amount_krw): the figure
--   INVESTED_TOTAL (question 2's order) from the index alone.
-- investments (invested_on, amount_krw) INCLUDE (fund_id, startup_id):
--   investors: { some: { amount: { gte }, investedOn: { gte } } }
--   (question 2) read all 247,000 investments; now the range of dates,
--   with the amount checked in the index.
-- mentorships (startup_id, mentor_id): a startup's mentors, for a
--   condition on the mentor (question 3's "a mentor at Ghent"), without
--   visiting each mentorship's heap page.
-- market_targets (market_id, status, startup_id): markets: { some:
--   { status: { eq: ENTERED }, node: { code: { eq: "VN" } } } }
--   (question 3) reads the entered targets of the market alone.

-- +goose Up
CREATE INDEX stage_changes_stage_changed_startup_idx ON stage_changes (stage, changed_on, startup_id);
CREATE INDEX outcomes_kind_startup_idx ON outcomes (kind, startup_id) INCLUDE (quantity, amount_krw);
CREATE INDEX investments_startup_amount_idx ON investments (startup_id) INCLUDE (amount_krw);
CREATE INDEX investments_invested_amount_idx ON investments (invested_on, amount_krw) INCLUDE (fund_id, startup_id);
CREATE INDEX mentorships_startup_mentor_idx ON mentorships (startup_id, mentor_id);
CREATE INDEX market_targets_market_status_startup_idx ON market_targets (market_id, status, startup_id);

-- +goose Down
DROP INDEX market_targets_market_status_startup_idx;
DROP INDEX mentorships_startup_mentor_idx;
DROP INDEX investments_invested_amount_idx;
DROP INDEX investments_startup_amount_idx;
DROP INDEX outcomes_kind_startup_idx;
DROP INDEX stage_changes_stage_changed_startup_idx;
