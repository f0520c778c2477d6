-- Archive that means something (issue 19): an archived node and its
-- edges are left out of every list, count, aggregate, predicate, graph
-- walk and insights figure unless a list's filter says includeArchived
-- (store.archivedGuard). A guard reads "the row whose id is x is not
-- archived" as x NOT IN the archived ids, a hashed subplan read once per
-- statement from the partial indexes below (as small as the archive): it
-- needs no column of the node but its id, so a child count still counts
-- the join table alone.
--
-- The insights totals kept by migration 00014 follow the same rule, so
-- the insights query still reads them (29 ms at 200,000 startups) rather
-- than joining the archive back: an archived startup has no parts (it is
-- recounted as if gone, and again when unarchived); the investments of an
-- archived fund, the memberships of an archived cohort and the market
-- targets and export contracts of an archived market are not parts of
-- their startups (the live_* views), and archiving or unarchiving a fund,
-- cohort or market recounts the startups its rows belong to.

-- +goose Up
CREATE INDEX startups_archived_idx ON startups (id) WHERE archived_at IS NOT NULL;
CREATE INDEX mentors_archived_idx  ON mentors (id)  WHERE archived_at IS NOT NULL;
CREATE INDEX funds_archived_idx    ON funds (id)    WHERE archived_at IS NOT NULL;
CREATE INDEX markets_archived_idx  ON markets (id)  WHERE archived_at IS NOT NULL;
CREATE INDEX programs_archived_idx ON programs (id) WHERE archived_at IS NOT NULL;
CREATE INDEX cohorts_archived_idx  ON cohorts (id)  WHERE archived_at IS NOT NULL;

-- The rows of each table that are edges of live (not archived) nodes.
CREATE VIEW live_investments AS
SELECT i.* FROM investments i WHERE NOT EXISTS (SELECT 1 FROM funds z WHERE z.id = i.fund_id AND z.archived_at IS NOT NULL);
CREATE VIEW live_memberships AS
SELECT e.* FROM memberships e WHERE NOT EXISTS (SELECT 1 FROM cohorts z WHERE z.id = e.cohort_id AND z.archived_at IS NOT NULL);
CREATE VIEW live_market_targets AS
SELECT e.* FROM market_targets e WHERE NOT EXISTS (SELECT 1 FROM markets z WHERE z.id = e.market_id AND z.archived_at IS NOT NULL);

CREATE OR REPLACE VIEW insight_parts_of AS
SELECT n.id AS startup_id, 'startup'::text AS fig, ''::text AS key, 1::bigint AS n, 0::numeric AS amount, 0::bigint AS qty FROM startups n
UNION ALL
SELECT e.startup_id, 'sector', e.sector_id::text, 1, 0, 0 FROM startup_sectors e
UNION ALL
SELECT e.startup_id, 'cohort', e.cohort_id::text, count(*), 0, 0 FROM live_memberships e GROUP BY 1, 3
UNION ALL
SELECT e.startup_id, 'university', e.university_id::text, 1, 0, 0 FROM assignments e GROUP BY 1, 3
UNION ALL
SELECT e.startup_id, 'market', e.market_id::text, count(*), 0, 0 FROM live_market_targets e GROUP BY 1, 3
UNION ALL
SELECT i.startup_id, 'fund', i.fund_id::text, count(*), sum(i.amount_krw), 1 FROM live_investments i GROUP BY 1, 3
UNION ALL
SELECT i.startup_id, 'round', i.round, count(*), sum(i.amount_krw), 0 FROM live_investments i GROUP BY 1, 3
UNION ALL
SELECT i.startup_id, 'year', extract(year FROM i.invested_on)::int::text, count(*), sum(i.amount_krw), 0 FROM live_investments i GROUP BY 1, 3
UNION ALL
SELECT i.startup_id, 'invsector', e.sector_id::text, count(*), sum(i.amount_krw), 0
FROM live_investments i JOIN startup_sectors e ON e.startup_id = i.startup_id GROUP BY 1, 3
UNION ALL
SELECT o.startup_id, 'outcome', o.kind, count(*), COALESCE(sum(o.amount_krw), 0), sum(o.quantity) FROM outcomes o GROUP BY 1, 3
UNION ALL
SELECT o.startup_id, 'export', o.market_id::text, count(*), COALESCE(sum(o.amount_krw), 0), 0
FROM outcomes o WHERE o.kind = 'EXPORT_CONTRACT' AND o.market_id IS NOT NULL
  AND NOT EXISTS (SELECT 1 FROM markets z WHERE z.id = o.market_id AND z.archived_at IS NOT NULL) GROUP BY 1, 3
UNION ALL
SELECT n.id, 'differing', '', 1, 0, 0 FROM startups n
WHERE COALESCE((SELECT sum(o.amount_krw) FROM outcomes o WHERE o.startup_id = n.id AND o.kind = 'INVESTMENT_ATTRACTED'), 0)
   <> COALESCE((SELECT sum(i.amount_krw) FROM live_investments i WHERE i.startup_id = n.id), 0)
UNION ALL
SELECT c.startup_id, 'days', c.stage || ':' || c.days_from_previous_stage, count(*), 0, 0
FROM stage_changes c WHERE c.days_from_previous_stage IS NOT NULL GROUP BY 1, 3
UNION ALL
SELECT i.startup_id, 'series', 'INVESTMENTS:' || date_trunc('month', i.invested_on)::date, count(*), sum(i.amount_krw), 0
FROM live_investments i GROUP BY 1, 3
UNION ALL
SELECT c.startup_id, 'series', 'STAGE_CHANGES:' || date_trunc('month', c.changed_on)::date, count(*), 0, 0
FROM stage_changes c GROUP BY 1, 3
UNION ALL
SELECT o.startup_id, 'series', o.kind || ':' || date_trunc('month', o.reported_on)::date, count(*), COALESCE(sum(o.amount_krw), 0), sum(o.quantity)
FROM outcomes o GROUP BY 1, 3;

-- +goose StatementBegin
CREATE OR REPLACE FUNCTION insight_recount(ids bigint[]) RETURNS void LANGUAGE plpgsql
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
        FROM insight_startups s LEFT JOIN startups n ON n.id = s.startup_id AND n.archived_at IS NULL
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
    WHERE s.startup_id = ANY(ids) AND s.stage = '' AND NOT EXISTS (SELECT 1 FROM startups n WHERE n.id = s.startup_id AND n.archived_at IS NULL);
END
$$;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE OR REPLACE FUNCTION insight_rebuild_all() RETURNS void LANGUAGE plpgsql AS $$
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
               FROM insight_parts_of GROUP BY 1) p ON p.startup_id = n.id
    WHERE n.archived_at IS NULL;
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
CREATE OR REPLACE FUNCTION insight_written() RETURNS trigger LANGUAGE plpgsql AS $$
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
            -- Only a stage, archive (or id) change moves a startup's parts;
            -- the figure columns' own updates (migration 00010) move nothing.
            ids := ARRAY(SELECT n.id FROM new_rows n JOIN old_rows o ON o.id = n.id
                         WHERE n.stage IS DISTINCT FROM o.stage OR n.archived_at IS DISTINCT FROM o.archived_at
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

-- Archiving or unarchiving a fund, cohort or market recounts the
-- startups its edges belong to.
-- +goose StatementBegin
CREATE FUNCTION insight_archived() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    ids bigint[];
BEGIN
    IF current_setting('startupgraph.figures_deferred', true) = 'on' THEN
        RETURN NULL;
    END IF;
    CASE TG_TABLE_NAME
    WHEN 'funds' THEN
        ids := ARRAY(SELECT DISTINCT i.startup_id FROM investments i JOIN new_rows n ON n.id = i.fund_id JOIN old_rows o ON o.id = n.id
                     WHERE n.archived_at IS DISTINCT FROM o.archived_at ORDER BY 1);
    WHEN 'cohorts' THEN
        ids := ARRAY(SELECT DISTINCT e.startup_id FROM memberships e JOIN new_rows n ON n.id = e.cohort_id JOIN old_rows o ON o.id = n.id
                     WHERE n.archived_at IS DISTINCT FROM o.archived_at ORDER BY 1);
    ELSE
        ids := ARRAY(SELECT e.startup_id FROM market_targets e JOIN new_rows n ON n.id = e.market_id JOIN old_rows o ON o.id = n.id
                     WHERE n.archived_at IS DISTINCT FROM o.archived_at
                     UNION
                     SELECT x.startup_id FROM outcomes x JOIN new_rows n ON n.id = x.market_id JOIN old_rows o ON o.id = n.id
                     WHERE n.archived_at IS DISTINCT FROM o.archived_at ORDER BY 1);
    END CASE;
    PERFORM insight_recount(ids);
    RETURN NULL;
END
$$;
-- +goose StatementEnd

CREATE TRIGGER zz_insight_archived AFTER UPDATE ON funds REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION insight_archived();
CREATE TRIGGER zz_insight_archived AFTER UPDATE ON cohorts REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION insight_archived();
CREATE TRIGGER zz_insight_archived AFTER UPDATE ON markets REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION insight_archived();

SELECT insight_rebuild_all();

-- +goose Down
DROP TRIGGER zz_insight_archived ON markets;
DROP TRIGGER zz_insight_archived ON cohorts;
DROP TRIGGER zz_insight_archived ON funds;
DROP FUNCTION insight_archived();

-- +goose StatementBegin
CREATE OR REPLACE FUNCTION insight_written() RETURNS trigger LANGUAGE plpgsql AS $$
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

-- +goose StatementBegin
CREATE OR REPLACE FUNCTION insight_rebuild_all() RETURNS void LANGUAGE plpgsql AS $$
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
CREATE OR REPLACE FUNCTION insight_recount(ids bigint[]) RETURNS void LANGUAGE plpgsql
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

CREATE OR REPLACE VIEW insight_parts_of AS
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

DROP VIEW live_market_targets;
DROP VIEW live_memberships;
DROP VIEW live_investments;
DROP INDEX cohorts_archived_idx;
DROP INDEX programs_archived_idx;
DROP INDEX markets_archived_idx;
DROP INDEX funds_archived_idx;
DROP INDEX mentors_archived_idx;
DROP INDEX startups_archived_idx;

SELECT insight_rebuild_all();
