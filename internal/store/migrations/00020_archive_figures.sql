-- Archive (issue 19), continued: the figures kept on startups and mentors
-- (migration 00010) that count edges to other nodes leave out the edges
-- of archived nodes, as every list, count and insights figure does
-- (00019): a startup's invested total counts no investment of an
-- archived fund, its mentor count no archived mentor, its market-target
-- count no archived market; a mentor's startup count no archived startup.
-- So ordering by them (INVESTED_TOTAL, MENTOR_COUNT, MARKET_TARGET_COUNT)
-- agrees with the lists. Archiving or unarchiving a fund, mentor, market
-- or startup recounts the figures its edges are in; the recount's own
-- UPDATE changes no archived_at, so it fires nothing further.

-- +goose Up
CREATE VIEW live_mentorships AS
SELECT e.* FROM mentorships e WHERE NOT EXISTS (SELECT 1 FROM mentors z WHERE z.id = e.mentor_id AND z.archived_at IS NOT NULL);

-- +goose StatementBegin
CREATE OR REPLACE FUNCTION startup_figures_recount(ids bigint[], tbl text) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    IF ids IS NULL OR cardinality(ids) = 0 THEN
        RETURN;
    END IF;
    PERFORM 1 FROM startups s WHERE s.id = ANY(ids) ORDER BY s.id FOR NO KEY UPDATE;
    IF tbl = 'investments' THEN
        UPDATE startups s SET invested_total = f.v
        FROM (SELECT u.id, COALESCE((SELECT sum(x.amount_krw) FROM live_investments x WHERE x.startup_id = u.id), 0) AS v
              FROM unnest(ids) AS u(id)) f
        WHERE s.id = f.id AND s.invested_total IS DISTINCT FROM f.v;
    ELSIF tbl = 'mentorships' THEN
        UPDATE startups s SET mentor_count = f.v
        FROM (SELECT u.id, (SELECT count(*) FROM live_mentorships x WHERE x.startup_id = u.id) AS v
              FROM unnest(ids) AS u(id)) f
        WHERE s.id = f.id AND s.mentor_count IS DISTINCT FROM f.v;
    ELSIF tbl = 'market_targets' THEN
        UPDATE startups s SET market_target_count = f.v
        FROM (SELECT u.id, (SELECT count(*) FROM live_market_targets x WHERE x.startup_id = u.id) AS v
              FROM unnest(ids) AS u(id)) f
        WHERE s.id = f.id AND s.market_target_count IS DISTINCT FROM f.v;
    ELSIF tbl = 'outcomes' THEN
        UPDATE startups s SET jobs_created = f.jobs, patents = f.patents, export_value = f.export
        FROM (SELECT u.id,
                     COALESCE((SELECT sum(x.quantity) FROM outcomes x WHERE x.startup_id = u.id AND x.kind = 'JOBS_CREATED'), 0) AS jobs,
                     COALESCE((SELECT sum(x.quantity) FROM outcomes x WHERE x.startup_id = u.id AND x.kind IN ('PATENT_DOMESTIC', 'PATENT_FOREIGN')), 0) AS patents,
                     COALESCE((SELECT sum(x.amount_krw) FROM outcomes x WHERE x.startup_id = u.id AND x.kind = 'EXPORT_CONTRACT'), 0) AS export
              FROM unnest(ids) AS u(id)) f
        WHERE s.id = f.id AND (s.jobs_created, s.patents, s.export_value) IS DISTINCT FROM (f.jobs, f.patents, f.export);
    ELSIF tbl = 'stage_changes' THEN
        UPDATE startups s SET last_stage_change = f.v
        FROM (SELECT u.id, COALESCE((SELECT max(x.changed_on) FROM stage_changes x WHERE x.startup_id = u.id), DATE '0001-01-01') AS v
              FROM unnest(ids) AS u(id)) f
        WHERE s.id = f.id AND s.last_stage_change IS DISTINCT FROM f.v;
    END IF;
END
$$;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE OR REPLACE FUNCTION mentor_figures_recount(ids bigint[]) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    IF ids IS NULL OR cardinality(ids) = 0 THEN
        RETURN;
    END IF;
    PERFORM 1 FROM mentors m WHERE m.id = ANY(ids) ORDER BY m.id FOR NO KEY UPDATE;
    UPDATE mentors m SET startup_count = f.v
    FROM (SELECT u.id, (SELECT count(*) FROM mentorships x WHERE x.mentor_id = u.id
                 AND NOT EXISTS (SELECT 1 FROM startups z WHERE z.id = x.startup_id AND z.archived_at IS NOT NULL)) AS v
          FROM unnest(ids) AS u(id)) f
    WHERE m.id = f.id AND m.startup_count IS DISTINCT FROM f.v;
END
$$;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE OR REPLACE FUNCTION figures_recount_all() RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    UPDATE startups s SET
        invested_total = f.invested_total, mentor_count = f.mentor_count, market_target_count = f.market_target_count,
        jobs_created = f.jobs_created, patents = f.patents, export_value = f.export_value, last_stage_change = f.last_stage_change
    FROM (SELECT n.id,
                 COALESCE(i.v, 0) AS invested_total, COALESCE(m.v, 0) AS mentor_count, COALESCE(t.v, 0) AS market_target_count,
                 COALESCE(o.jobs, 0) AS jobs_created, COALESCE(o.patents, 0) AS patents, COALESCE(o.export, 0) AS export_value,
                 COALESCE(c.v, DATE '0001-01-01') AS last_stage_change
          FROM startups n
          LEFT JOIN (SELECT startup_id, sum(amount_krw) AS v FROM live_investments GROUP BY 1) i ON i.startup_id = n.id
          LEFT JOIN (SELECT startup_id, count(*) AS v FROM live_mentorships GROUP BY 1) m ON m.startup_id = n.id
          LEFT JOIN (SELECT startup_id, count(*) AS v FROM live_market_targets GROUP BY 1) t ON t.startup_id = n.id
          LEFT JOIN (SELECT startup_id,
                            sum(quantity) FILTER (WHERE kind = 'JOBS_CREATED') AS jobs,
                            sum(quantity) FILTER (WHERE kind IN ('PATENT_DOMESTIC', 'PATENT_FOREIGN')) AS patents,
                            sum(amount_krw) FILTER (WHERE kind = 'EXPORT_CONTRACT') AS export
                     FROM outcomes GROUP BY 1) o ON o.startup_id = n.id
          LEFT JOIN (SELECT startup_id, max(changed_on) AS v FROM stage_changes GROUP BY 1) c ON c.startup_id = n.id) f
    WHERE s.id = f.id
      AND (s.invested_total, s.mentor_count, s.market_target_count, s.jobs_created, s.patents, s.export_value, s.last_stage_change)
          IS DISTINCT FROM (f.invested_total, f.mentor_count, f.market_target_count, f.jobs_created, f.patents, f.export_value, f.last_stage_change);
    UPDATE mentors mm SET startup_count = f.v
    FROM (SELECT n.id, COALESCE(x.v, 0) AS v FROM mentors n
          LEFT JOIN (SELECT x.mentor_id, count(*) AS v FROM mentorships x
                     WHERE NOT EXISTS (SELECT 1 FROM startups z WHERE z.id = x.startup_id AND z.archived_at IS NOT NULL) GROUP BY 1) x ON x.mentor_id = n.id) f
    WHERE mm.id = f.id AND mm.startup_count IS DISTINCT FROM f.v;
END
$$;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE FUNCTION figures_archived() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF current_setting('startupgraph.figures_deferred', true) = 'on' THEN
        RETURN NULL; -- a bulk load recounts at its end (figures_recount_all)
    END IF;
    CASE TG_TABLE_NAME
    WHEN 'funds' THEN
        PERFORM startup_figures_recount(ARRAY(SELECT DISTINCT i.startup_id FROM investments i JOIN new_rows n ON n.id = i.fund_id
            JOIN old_rows o ON o.id = n.id WHERE n.archived_at IS DISTINCT FROM o.archived_at ORDER BY 1), 'investments');
    WHEN 'mentors' THEN
        PERFORM startup_figures_recount(ARRAY(SELECT DISTINCT e.startup_id FROM mentorships e JOIN new_rows n ON n.id = e.mentor_id
            JOIN old_rows o ON o.id = n.id WHERE n.archived_at IS DISTINCT FROM o.archived_at ORDER BY 1), 'mentorships');
    WHEN 'markets' THEN
        PERFORM startup_figures_recount(ARRAY(SELECT DISTINCT e.startup_id FROM market_targets e JOIN new_rows n ON n.id = e.market_id
            JOIN old_rows o ON o.id = n.id WHERE n.archived_at IS DISTINCT FROM o.archived_at ORDER BY 1), 'market_targets');
    ELSE
        PERFORM mentor_figures_recount(ARRAY(SELECT DISTINCT e.mentor_id FROM mentorships e JOIN new_rows n ON n.id = e.startup_id
            JOIN old_rows o ON o.id = n.id WHERE n.archived_at IS DISTINCT FROM o.archived_at ORDER BY 1));
    END CASE;
    RETURN NULL;
END
$$;
-- +goose StatementEnd

CREATE TRIGGER figures_archived AFTER UPDATE ON funds REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION figures_archived();
CREATE TRIGGER figures_archived AFTER UPDATE ON mentors REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION figures_archived();
CREATE TRIGGER figures_archived AFTER UPDATE ON markets REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION figures_archived();
CREATE TRIGGER figures_archived AFTER UPDATE ON startups REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION figures_archived();

SELECT figures_recount_all();

-- +goose Down
DROP TRIGGER figures_archived ON startups;
DROP TRIGGER figures_archived ON markets;
DROP TRIGGER figures_archived ON mentors;
DROP TRIGGER figures_archived ON funds;
DROP FUNCTION figures_archived();

-- +goose StatementBegin
CREATE OR REPLACE FUNCTION figures_recount_all() RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    UPDATE startups s SET
        invested_total = f.invested_total, mentor_count = f.mentor_count, market_target_count = f.market_target_count,
        jobs_created = f.jobs_created, patents = f.patents, export_value = f.export_value, last_stage_change = f.last_stage_change
    FROM (SELECT n.id,
                 COALESCE(i.v, 0) AS invested_total, COALESCE(m.v, 0) AS mentor_count, COALESCE(t.v, 0) AS market_target_count,
                 COALESCE(o.jobs, 0) AS jobs_created, COALESCE(o.patents, 0) AS patents, COALESCE(o.export, 0) AS export_value,
                 COALESCE(c.v, DATE '0001-01-01') AS last_stage_change
          FROM startups n
          LEFT JOIN (SELECT startup_id, sum(amount_krw) AS v FROM investments GROUP BY 1) i ON i.startup_id = n.id
          LEFT JOIN (SELECT startup_id, count(*) AS v FROM mentorships GROUP BY 1) m ON m.startup_id = n.id
          LEFT JOIN (SELECT startup_id, count(*) AS v FROM market_targets GROUP BY 1) t ON t.startup_id = n.id
          LEFT JOIN (SELECT startup_id,
                            sum(quantity) FILTER (WHERE kind = 'JOBS_CREATED') AS jobs,
                            sum(quantity) FILTER (WHERE kind IN ('PATENT_DOMESTIC', 'PATENT_FOREIGN')) AS patents,
                            sum(amount_krw) FILTER (WHERE kind = 'EXPORT_CONTRACT') AS export
                     FROM outcomes GROUP BY 1) o ON o.startup_id = n.id
          LEFT JOIN (SELECT startup_id, max(changed_on) AS v FROM stage_changes GROUP BY 1) c ON c.startup_id = n.id) f
    WHERE s.id = f.id
      AND (s.invested_total, s.mentor_count, s.market_target_count, s.jobs_created, s.patents, s.export_value, s.last_stage_change)
          IS DISTINCT FROM (f.invested_total, f.mentor_count, f.market_target_count, f.jobs_created, f.patents, f.export_value, f.last_stage_change);
    UPDATE mentors mm SET startup_count = f.v
    FROM (SELECT n.id, COALESCE(x.v, 0) AS v FROM mentors n
          LEFT JOIN (SELECT mentor_id, count(*) AS v FROM mentorships GROUP BY 1) x ON x.mentor_id = n.id) f
    WHERE mm.id = f.id AND mm.startup_count IS DISTINCT FROM f.v;
END
$$;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE OR REPLACE FUNCTION mentor_figures_recount(ids bigint[]) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    IF ids IS NULL OR cardinality(ids) = 0 THEN
        RETURN;
    END IF;
    PERFORM 1 FROM mentors m WHERE m.id = ANY(ids) ORDER BY m.id FOR NO KEY UPDATE;
    UPDATE mentors m SET startup_count = f.v
    FROM (SELECT u.id, (SELECT count(*) FROM mentorships x WHERE x.mentor_id = u.id) AS v
          FROM unnest(ids) AS u(id)) f
    WHERE m.id = f.id AND m.startup_count IS DISTINCT FROM f.v;
END
$$;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE OR REPLACE FUNCTION startup_figures_recount(ids bigint[], tbl text) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    IF ids IS NULL OR cardinality(ids) = 0 THEN
        RETURN;
    END IF;
    PERFORM 1 FROM startups s WHERE s.id = ANY(ids) ORDER BY s.id FOR NO KEY UPDATE;
    IF tbl = 'investments' THEN
        UPDATE startups s SET invested_total = f.v
        FROM (SELECT u.id, COALESCE((SELECT sum(x.amount_krw) FROM investments x WHERE x.startup_id = u.id), 0) AS v
              FROM unnest(ids) AS u(id)) f
        WHERE s.id = f.id AND s.invested_total IS DISTINCT FROM f.v;
    ELSIF tbl = 'mentorships' THEN
        UPDATE startups s SET mentor_count = f.v
        FROM (SELECT u.id, (SELECT count(*) FROM mentorships x WHERE x.startup_id = u.id) AS v
              FROM unnest(ids) AS u(id)) f
        WHERE s.id = f.id AND s.mentor_count IS DISTINCT FROM f.v;
    ELSIF tbl = 'market_targets' THEN
        UPDATE startups s SET market_target_count = f.v
        FROM (SELECT u.id, (SELECT count(*) FROM market_targets x WHERE x.startup_id = u.id) AS v
              FROM unnest(ids) AS u(id)) f
        WHERE s.id = f.id AND s.market_target_count IS DISTINCT FROM f.v;
    ELSIF tbl = 'outcomes' THEN
        UPDATE startups s SET jobs_created = f.jobs, patents = f.patents, export_value = f.export
        FROM (SELECT u.id,
                     COALESCE((SELECT sum(x.quantity) FROM outcomes x WHERE x.startup_id = u.id AND x.kind = 'JOBS_CREATED'), 0) AS jobs,
                     COALESCE((SELECT sum(x.quantity) FROM outcomes x WHERE x.startup_id = u.id AND x.kind IN ('PATENT_DOMESTIC', 'PATENT_FOREIGN')), 0) AS patents,
                     COALESCE((SELECT sum(x.amount_krw) FROM outcomes x WHERE x.startup_id = u.id AND x.kind = 'EXPORT_CONTRACT'), 0) AS export
              FROM unnest(ids) AS u(id)) f
        WHERE s.id = f.id AND (s.jobs_created, s.patents, s.export_value) IS DISTINCT FROM (f.jobs, f.patents, f.export);
    ELSIF tbl = 'stage_changes' THEN
        UPDATE startups s SET last_stage_change = f.v
        FROM (SELECT u.id, COALESCE((SELECT max(x.changed_on) FROM stage_changes x WHERE x.startup_id = u.id), DATE '0001-01-01') AS v
              FROM unnest(ids) AS u(id)) f
        WHERE s.id = f.id AND s.last_stage_change IS DISTINCT FROM f.v;
    END IF;
END
$$;
-- +goose StatementEnd

DROP VIEW live_mentorships;

SELECT figures_recount_all();
