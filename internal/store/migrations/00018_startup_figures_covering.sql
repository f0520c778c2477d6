-- An index for aggregates over startups' kept figures (migration 00010),
-- found with EXPLAIN ANALYZE of the statement the server compiles for
-- issue 18's filtered aggregate at 200,000 synthetic startups:
--
-- startups (id) INCLUDE (the figures): `startups(where: { sectors: { some:
--   { node: { key: { eq: "robotics" } } } } }) { aggregate { count sum {
--   investedTotal } } }` keeps 64,877 startups. Without it the statement
--   hashes the sector's startup ids and reads every startup's figure from
--   the invested_total index, or the heap (45-64 ms on a quiet 2-CPU
--   machine); with it, the sector's ids (read in id order from
--   startup_sectors) and this index merge, both in id order, with no hash
--   and no heap page (24-37 ms). Any figure, any filter whose matches
--   come in id order, reads it the same way.

-- +goose Up
CREATE INDEX startups_figures_idx ON startups (id)
  INCLUDE (invested_total, mentor_count, market_target_count, jobs_created, patents, export_value, last_stage_change);

-- +goose Down
DROP INDEX startups_figures_idx;
