-- The insights figures (#18), each found with EXPLAIN (ANALYZE, BUFFERS) of
-- its statement on 200,000 synthetic startups, once the figures read the
-- rows they total directly instead of joining them back to a materialized
-- list of the slice's startups:
--
-- investments (fund_id, startup_id) INCLUDE (amount_krw): investedByFund
--   (sum, count and distinct startups per fund) reads the index alone, in
--   fund and startup order, where it hashed every investment by fund and
--   startup and spilled to disk (about 790 ms; now about 40 ms).
-- stage_changes.days_from_previous_stage: the funnel's median days from
--   the previous stage needed each change's predecessor, a window over all
--   657,000 stage changes (about 600 ms, most of the funnel, however
--   written). It is kept here, exact on every write: the days since the
--   startup's previous change (by changed_on, then id) when that change
--   was at the stage just before this one in the article's order, else
--   NULL. Statement triggers recount the startups a statement touched.
--   The partial index lets the funnel read the medians' inputs, sorted,
--   from the index alone.

-- +goose Up
CREATE INDEX investments_fund_startup_amount_idx ON investments (fund_id, startup_id) INCLUDE (amount_krw);

-- The article's order of growth stages, as in the stage CHECK constraint
-- (and model's growthStages).
CREATE FUNCTION stage_ordinal(stage text) RETURNS int LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN array_position(ARRAY['IDEA', 'FOUNDING', 'PROTOTYPE', 'R_AND_D', 'MARKETING', 'INVESTMENT', 'FINANCING', 'OVERSEAS_EXPANSION'], stage);

ALTER TABLE stage_changes ADD COLUMN days_from_previous_stage int;

-- +goose StatementBegin
CREATE FUNCTION stage_changes_recount(ids bigint[]) RETURNS void LANGUAGE sql AS $$
UPDATE stage_changes sc SET days_from_previous_stage = g.days
FROM (
  SELECT c.id, CASE WHEN stage_ordinal(c.stage) - stage_ordinal(lag(c.stage) OVER w) = 1
                    THEN c.changed_on - lag(c.changed_on) OVER w END AS days
  FROM stage_changes c WHERE c.startup_id = ANY(ids)
  WINDOW w AS (PARTITION BY c.startup_id ORDER BY c.changed_on, c.id)
) g
WHERE sc.id = g.id AND sc.days_from_previous_stage IS DISTINCT FROM g.days
$$;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE FUNCTION stage_changes_recount_written() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  ids bigint[];
BEGIN
  IF TG_OP = 'INSERT' THEN
    ids := ARRAY(SELECT DISTINCT startup_id FROM new_rows);
  ELSIF TG_OP = 'DELETE' THEN
    ids := ARRAY(SELECT DISTINCT startup_id FROM old_rows);
  ELSE
    -- Only rows whose startup, stage or date changed: the recount's own
    -- UPDATE (of days_from_previous_stage alone) recounts nothing, and
    -- ends there (a statement trigger fires even for no rows).
    ids := ARRAY(
      SELECT DISTINCT x.id FROM new_rows n JOIN old_rows o ON o.id = n.id,
        LATERAL (VALUES (n.startup_id), (o.startup_id)) x(id)
      WHERE (n.startup_id, n.stage, n.changed_on) IS DISTINCT FROM (o.startup_id, o.stage, o.changed_on));
  END IF;
  IF cardinality(ids) > 0 THEN
    PERFORM stage_changes_recount(ids);
  END IF;
  RETURN NULL;
END
$$;
-- +goose StatementEnd

CREATE TRIGGER stage_changes_days_ins AFTER INSERT ON stage_changes REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION stage_changes_recount_written();
CREATE TRIGGER stage_changes_days_del AFTER DELETE ON stage_changes REFERENCING OLD TABLE AS old_rows
  FOR EACH STATEMENT EXECUTE FUNCTION stage_changes_recount_written();
CREATE TRIGGER stage_changes_days_upd AFTER UPDATE ON stage_changes
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION stage_changes_recount_written();

UPDATE stage_changes sc SET days_from_previous_stage = g.days
FROM (
  SELECT c.id, CASE WHEN stage_ordinal(c.stage) - stage_ordinal(lag(c.stage) OVER w) = 1
                    THEN c.changed_on - lag(c.changed_on) OVER w END AS days
  FROM stage_changes c
  WINDOW w AS (PARTITION BY c.startup_id ORDER BY c.changed_on, c.id)
) g
WHERE sc.id = g.id AND g.days IS NOT NULL;

CREATE INDEX stage_changes_days_from_previous_idx ON stage_changes (stage, days_from_previous_stage, startup_id)
  WHERE days_from_previous_stage IS NOT NULL;

-- +goose Down
DROP INDEX stage_changes_days_from_previous_idx;
DROP TRIGGER stage_changes_days_upd ON stage_changes;
DROP TRIGGER stage_changes_days_del ON stage_changes;
DROP TRIGGER stage_changes_days_ins ON stage_changes;
DROP FUNCTION stage_changes_recount_written();
DROP FUNCTION stage_changes_recount(bigint[]);
ALTER TABLE stage_changes DROP COLUMN days_from_previous_stage;
DROP FUNCTION stage_ordinal(text);
DROP INDEX investments_fund_startup_amount_idx;
