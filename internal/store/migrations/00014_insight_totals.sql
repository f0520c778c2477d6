-- The insights figures (#18), kept as totals exact on every write, so the
-- dashboard's one-request view over every startup or over a slice chosen
-- by stage alone, for an admin or analyst (every startup) or a university
-- (its teams), reads a few hundred rows instead of grouping each table
-- (store.Insights.summary decides when a figure may read them; any other
-- filter takes the general path). Measured on 200,000 synthetic startups
-- before this: the README's insights query over two stages 0.7 s for an
-- admin, 0.5 s for a university, each figure 20-150 ms of grouping
-- hundreds of thousands of rows joined to the slice (no index answers a
-- stage slice of every edge table; EXPLAIN ANALYZE per figure in the
-- commit).
--
-- insight_totals holds, per scope (0: every startup; else a university id:
-- the startups it is assigned), per current stage of the startups, per
-- figure and key, the sums of the figure's parts: n (rows counted), amount
-- (KRW) and qty (quantities, or distinct startups). insight_startups holds
-- each startup's own parts and the stage and universities they were added
-- under. A write recounts the startups it touched (insight_recount): it
-- locks their insight_startups rows (ordered), computes their parts afresh
-- in a later statement (a fresh snapshot under READ COMMITTED, so a
-- concurrent writer's committed rows are counted), and moves the
-- difference between the old parts under the old stage and universities
-- and the new ones under the new into insight_totals. A recount, not a
-- delta of the written rows, so distinct counts (a fund's startups, a
-- university's teams, the startups whose reported and recorded investment
-- differ) stay exact. Statement triggers with transition tables, so COPY
-- keeps them too; a bulk load (startupgraph.figures_deferred) rebuilds
-- them at its end (insight_rebuild_all).
--
-- Figures (fig, key: n, amount, qty):
--   startup, '':                    1 per startup
--   sector, sector id:              1 per sector of the startup
--   cohort, cohort id:              memberships
--   university, university id:      1 per university the startup is
--                                   assigned (a university's scope holds
--                                   its own key only: it sees only its
--                                   own assignments)
--   market, market id:              market targets
--   fund, fund id:                  investments, KRW, 1 (distinct startups)
--   round, round:                   investments, KRW
--   year, year:                     investments, KRW
--   invsector, sector id:           investments x sectors of the startup, KRW
--   outcome, kind:                  outcomes, KRW, quantity
--   export, market id:              export contracts, KRW
--   differing, '':                  1 when the startup's INVESTMENT_ATTRACTED
--                                   outcomes and recorded investments differ
--   days, stage:days:               stage changes with days_from_previous_stage
--   series, METRIC:YYYY-MM-DD:      events of a time-series metric per month,
--                                   KRW, quantity

-- +goose Up
CREATE TYPE insight_part AS (fig text, key text, n bigint, amount numeric, qty bigint);

CREATE TABLE insight_startups (
    startup_id   bigint PRIMARY KEY,
    stage        text NOT NULL,
    universities bigint[] NOT NULL,
    parts        insight_part[] NOT NULL
);

CREATE TABLE insight_totals (
    scope  bigint NOT NULL,
    stage  text NOT NULL,
    fig    text NOT NULL,
    key    text NOT NULL,
    n      bigint NOT NULL,
    amount numeric NOT NULL,
    qty    bigint NOT NULL,
    PRIMARY KEY (scope, fig, stage, key)
);

-- Each startup's parts, from its rows (a filter on startup_id reaches
-- every branch's index).
CREATE VIEW insight_parts_of AS
SELECT n.id AS startup_id, 'startup'::text AS fig, ''::text AS key, 1::bigint AS n, 0::numeric AS amount, 0::bigint AS qty FROM startups n
UNION ALL
SELECT e.startup_id, 'sector', e.sector_id::text, 1, 0, 0 FROM startup_sectors e
UNION ALL
SELECT e.startup_id, 'cohort', e.cohort_id::text, count(*), 0, 0 FROM memberships e GROUP BY 1, 3
UNION ALL
SELECT e.startup_id, 'university', e.university_id::text, 1, 0, 0 FROM assignments e GROUP BY 1, 3
UNION ALL
SELECT e.startup_id, 'market', e.market_id::text, count(*), 0, 0 FROM market_targets e GROUP BY 1, 3
UNION ALL
SELECT i.startup_id, 'fund', i.fund_id::text, count(*), sum(i.amount_krw), 1 FROM investments i GROUP BY 1, 3
UNION ALL
SELECT i.startup_id, 'round', i.round, count(*), sum(i.amount_krw), 0 FROM investments i GROUP BY 1, 3
UNION ALL
SELECT i.startup_id, 'year', extract(year FROM i.invested_on)::int::text, count(*), sum(i.amount_krw), 0 FROM investments i GROUP BY 1, 3
UNION ALL
SELECT i.startup_id, 'invsector', e.sector_id::text, count(*), sum(i.amount_krw), 0
FROM investments i JOIN startup_sectors e ON e.startup_id = i.startup_id GROUP BY 1, 3
UNION ALL
SELECT o.startup_id, 'outcome', o.kind, count(*), COALESCE(sum(o.amount_krw), 0), sum(o.quantity) FROM outcomes o GROUP BY 1, 3
UNION ALL
SELECT o.startup_id, 'export', o.market_id::text, count(*), COALESCE(sum(o.amount_krw), 0), 0
FROM outcomes o WHERE o.kind = 'EXPORT_CONTRACT' AND o.market_id IS NOT NULL GROUP BY 1, 3
UNION ALL
SELECT n.id, 'differing', '', 1, 0, 0 FROM startups n
WHERE COALESCE((SELECT sum(o.amount_krw) FROM outcomes o WHERE o.startup_id = n.id AND o.kind = 'INVESTMENT_ATTRACTED'), 0)
   <> COALESCE((SELECT sum(i.amount_krw) FROM investments i WHERE i.startup_id = n.id), 0)
UNION ALL
SELECT c.startup_id, 'days', c.stage || ':' || c.days_from_previous_stage, count(*), 0, 0
FROM stage_changes c WHERE c.days_from_previous_stage IS NOT NULL GROUP BY 1, 3
UNION ALL
SELECT i.startup_id, 'series', 'INVESTMENTS:' || date_trunc('month', i.invested_on)::date, count(*), sum(i.amount_krw), 0
FROM investments i GROUP BY 1, 3
UNION ALL
SELECT c.startup_id, 'series', 'STAGE_CHANGES:' || date_trunc('month', c.changed_on)::date, count(*), 0, 0
FROM stage_changes c GROUP BY 1, 3
UNION ALL
SELECT o.startup_id, 'series', o.kind || ':' || date_trunc('month', o.reported_on)::date, count(*), COALESCE(sum(o.amount_krw), 0), sum(o.quantity)
FROM outcomes o GROUP BY 1, 3;

-- The scopes a startup's parts count in: 0 (every startup) and each
-- university it is assigned; under a university, the university figure
-- holds that university's key alone.
-- +goose StatementBegin
CREATE FUNCTION insight_scoped(st text, unis bigint[], ps insight_part[], sgn int)
RETURNS TABLE (scope bigint, stage text, fig text, key text, n bigint, amount numeric, qty bigint)
LANGUAGE sql IMMUTABLE AS $$
SELECT u.scope, st, p.fig, p.key, sgn * p.n, sgn * p.amount, sgn * p.qty
FROM unnest(ps) p, unnest(ARRAY[0::bigint] || unis) u(scope)
WHERE u.scope = 0 OR p.fig <> 'university' OR p.key = u.scope::text
$$;
-- +goose StatementEnd

-- A generic plan, kept for the session: planning the recount (the view's
-- seventeen branches) took most of a write's time, about 5-10 ms, where
-- the recount itself reads a few index entries per table (0.5 ms).
-- +goose StatementBegin
CREATE FUNCTION insight_recount(ids bigint[]) RETURNS void LANGUAGE plpgsql
SET plan_cache_mode = force_generic_plan AS $$
BEGIN
    IF ids IS NULL OR cardinality(ids) = 0 THEN
        RETURN;
    END IF;
    -- Every startup recounted has a row to lock: a new one gets an empty
    -- one (counted nowhere) first.
    INSERT INTO insight_startups (startup_id, stage, universities, parts)
    SELECT u.id, '', '{}', '{}' FROM unnest(ids) u(id) ORDER BY 1
    ON CONFLICT (startup_id) DO NOTHING;
    PERFORM 1 FROM insight_startups s WHERE s.startup_id = ANY(ids) ORDER BY s.startup_id FOR UPDATE;
    WITH fresh AS (
        SELECT s.startup_id, n.stage,
               COALESCE((SELECT array_agg(DISTINCT a.university_id ORDER BY a.university_id) FROM assignments a
                         WHERE a.startup_id = s.startup_id AND n.id IS NOT NULL), '{}') AS universities,
               COALESCE((SELECT array_agg(ROW(p.fig, p.key, p.n, p.amount, p.qty)::insight_part ORDER BY p.fig, p.key)
                         FROM insight_parts_of p WHERE p.startup_id = s.startup_id AND n.id IS NOT NULL), '{}') AS parts
        FROM insight_startups s LEFT JOIN startups n ON n.id = s.startup_id
        WHERE s.startup_id = ANY(ids)
    ), moved AS (
        SELECT o.startup_id, o.stage AS old_stage, o.universities AS old_universities, o.parts AS old_parts,
               f.stage, f.universities, f.parts
        FROM insight_startups o JOIN fresh f ON f.startup_id = o.startup_id
        WHERE (o.stage, o.universities, o.parts) IS DISTINCT FROM (COALESCE(f.stage, ''), f.universities, f.parts)
    ), delta AS (
        SELECT d.scope, d.stage, d.fig, d.key, sum(d.n) AS n, sum(d.amount) AS amount, sum(d.qty) AS qty
        FROM moved m, LATERAL (
            SELECT * FROM insight_scoped(m.old_stage, m.old_universities, m.old_parts, -1)
            UNION ALL
            SELECT * FROM insight_scoped(m.stage, m.universities, m.parts, 1) WHERE m.stage IS NOT NULL
        ) d
        GROUP BY 1, 2, 3, 4
        HAVING sum(d.n) <> 0 OR sum(d.amount) <> 0 OR sum(d.qty) <> 0
    ), totals AS (
        INSERT INTO insight_totals AS t (scope, stage, fig, key, n, amount, qty)
        SELECT * FROM delta ORDER BY scope, fig, stage, key
        ON CONFLICT (scope, fig, stage, key) DO UPDATE
        SET n = t.n + EXCLUDED.n, amount = t.amount + EXCLUDED.amount, qty = t.qty + EXCLUDED.qty
    ), kept AS (
        UPDATE insight_startups s SET stage = m.stage, universities = m.universities, parts = m.parts
        FROM moved m WHERE s.startup_id = m.startup_id AND m.stage IS NOT NULL
    )
    DELETE FROM insight_startups s USING moved m WHERE s.startup_id = m.startup_id AND m.stage IS NULL;
    -- A startup no longer there whose parts were already taken out.
    DELETE FROM insight_startups s
    WHERE s.startup_id = ANY(ids) AND s.stage = '' AND NOT EXISTS (SELECT 1 FROM startups n WHERE n.id = s.startup_id);
END
$$;
-- +goose StatementEnd

-- Every startup's parts and the totals rebuilt from the rows: at
-- migration, and after a bulk load that deferred the triggers.
-- +goose StatementBegin
CREATE FUNCTION insight_rebuild_all() RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    LOCK TABLE insight_startups IN EXCLUSIVE MODE;
    DELETE FROM insight_startups;
    DELETE FROM insight_totals;
    INSERT INTO insight_startups (startup_id, stage, universities, parts)
    SELECT n.id, n.stage, COALESCE(u.v, '{}'), COALESCE(p.v, '{}')
    FROM startups n
    LEFT JOIN (SELECT startup_id, array_agg(DISTINCT university_id ORDER BY university_id) AS v FROM assignments GROUP BY 1) u
      ON u.startup_id = n.id
    LEFT JOIN (SELECT startup_id, array_agg(ROW(fig, key, n, amount, qty)::insight_part ORDER BY fig, key) AS v
               FROM insight_parts_of GROUP BY 1) p ON p.startup_id = n.id;
    -- In the order of the key: a figure's rows of a scope are read
    -- together (the funnel's 10,000 rows of two stages at 200,000
    -- startups from 80 blocks, not 2,500: 50 ms -> 3 ms).
    INSERT INTO insight_totals (scope, stage, fig, key, n, amount, qty)
    SELECT d.scope, d.stage, d.fig, d.key, sum(d.n), sum(d.amount), sum(d.qty)
    FROM insight_startups s, LATERAL insight_scoped(s.stage, s.universities, s.parts, 1) d
    GROUP BY 1, 2, 3, 4 ORDER BY d.scope, d.fig, d.stage, d.key;
END
$$;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE FUNCTION insight_written() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    ids bigint[];
BEGIN
    IF current_setting('startupgraph.figures_deferred', true) = 'on' THEN
        RETURN NULL; -- a bulk load rebuilds at its end (insight_rebuild_all)
    END IF;
    IF TG_TABLE_NAME = 'startups' THEN
        IF TG_OP = 'INSERT' THEN
            ids := ARRAY(SELECT id FROM new_rows ORDER BY 1);
        ELSIF TG_OP = 'DELETE' THEN
            ids := ARRAY(SELECT id FROM old_rows ORDER BY 1);
        ELSE
            -- Only a stage (or id) change moves a startup's parts; the
            -- figure columns' own updates (migration 00010) move nothing.
            ids := ARRAY(SELECT n.id FROM new_rows n JOIN old_rows o ON o.id = n.id WHERE n.stage IS DISTINCT FROM o.stage
                         UNION SELECT id FROM new_rows WHERE id NOT IN (SELECT id FROM old_rows)
                         UNION SELECT id FROM old_rows WHERE id NOT IN (SELECT id FROM new_rows) ORDER BY 1);
        END IF;
    ELSIF TG_OP = 'INSERT' THEN
        ids := ARRAY(SELECT DISTINCT startup_id FROM new_rows ORDER BY 1);
    ELSIF TG_OP = 'DELETE' THEN
        ids := ARRAY(SELECT DISTINCT startup_id FROM old_rows ORDER BY 1);
    ELSE
        ids := ARRAY(SELECT startup_id FROM new_rows UNION SELECT startup_id FROM old_rows ORDER BY 1);
    END IF;
    PERFORM insight_recount(ids);
    RETURN NULL;
END
$$;
-- +goose StatementEnd

-- The triggers are named to fire after the other statement triggers of
-- the same event (alphabetical order): after days_from_previous_stage is
-- recounted (migration 00012), whose own UPDATE recounts here again.
-- +goose StatementBegin
DO $$
DECLARE
    t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['startups', 'startup_sectors', 'memberships', 'assignments', 'market_targets',
                             'investments', 'outcomes', 'stage_changes'] LOOP
        EXECUTE format('CREATE TRIGGER zz_insight_ins AFTER INSERT ON %I REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION insight_written()', t);
        EXECUTE format('CREATE TRIGGER zz_insight_del AFTER DELETE ON %I REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION insight_written()', t);
        EXECUTE format('CREATE TRIGGER zz_insight_upd AFTER UPDATE ON %I REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION insight_written()', t);
    END LOOP;
END
$$;
-- +goose StatementEnd

SELECT insight_rebuild_all();

-- The task force's experts (26 of 25,000 mentors at 200,000 startups):
-- without this, taskForceBySector for a university key joined every
-- mentor's sectors and tested the mentor scope on each (estimated cost
-- 700,000, so JIT compiled it too: 750 ms in EXPLAIN ANALYZE, 540 ms of
-- it JIT); with it, 0.8 ms.
CREATE INDEX mentors_task_force_idx ON mentors (id) WHERE task_force_member;

-- +goose Down
DROP INDEX mentors_task_force_idx;
-- +goose StatementBegin
DO $$
DECLARE
    t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['startups', 'startup_sectors', 'memberships', 'assignments', 'market_targets',
                             'investments', 'outcomes', 'stage_changes'] LOOP
        EXECUTE format('DROP TRIGGER zz_insight_ins ON %I', t);
        EXECUTE format('DROP TRIGGER zz_insight_del ON %I', t);
        EXECUTE format('DROP TRIGGER zz_insight_upd ON %I', t);
    END LOOP;
END
$$;
-- +goose StatementEnd
DROP FUNCTION insight_written();
DROP FUNCTION insight_rebuild_all();
DROP FUNCTION insight_recount(bigint[]);
DROP FUNCTION insight_scoped(text, bigint[], insight_part[], int);
DROP VIEW insight_parts_of;
DROP TABLE insight_totals;
DROP TABLE insight_startups;
DROP TYPE insight_part;
