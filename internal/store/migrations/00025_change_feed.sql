-- The change feed (issue 21): Query.changes and Subscription.changes read
-- the audit log by id. What the feed needs that an audit record did not
-- say is filled in when the record is written, by a BEFORE INSERT trigger
-- (so no write can forget it), and for the records already there by the
-- same function:
--
--   kind           CREATE, UPDATE, ARCHIVE, CORRECTION or RELATIONSHIP,
--                  from the action.
--   startup_id     the startup the change concerns (a startup's own
--                  change, a relationship of it, an investment into it),
--                  kept after the investment is deleted: the viewer's
--                  scope is applied to it.
--   university_id  for a change of a university's assignment, that
--                  university: a university sees only its own
--                  assignments, even of a team it shares.
--   version        the changed node's version after the change (null when
--                  the node is gone, and for records written before this
--                  migration).
--   fields         what changed: the relationship field of Startup for a
--                  relationship change, otherwise the columns whose value
--                  differs before and after, in camelCase.

-- +goose Up
ALTER TABLE audit_log
    ADD COLUMN kind          text,
    ADD COLUMN startup_id    bigint,
    ADD COLUMN university_id bigint,
    ADD COLUMN version       integer,
    ADD COLUMN fields        text[];

-- +goose StatementBegin
CREATE FUNCTION audit_relationship_field(action text) RETURNS text
LANGUAGE sql IMMUTABLE AS $$
  SELECT CASE action
    WHEN 'assignTeam' THEN 'universities' WHEN 'unassignTeam' THEN 'universities' WHEN 'correctAssignment' THEN 'universities'
    WHEN 'startMentorship' THEN 'mentors' WHEN 'endMentorship' THEN 'mentors' WHEN 'correctMentorship' THEN 'mentors'
    WHEN 'setMarketTarget' THEN 'markets' WHEN 'correctMarketTarget' THEN 'markets'
    WHEN 'addToCohort' THEN 'programs' WHEN 'removeFromCohort' THEN 'programs' WHEN 'moveToCohort' THEN 'programs'
    WHEN 'recordOutcome' THEN 'outcomes' WHEN 'correctOutcome' THEN 'outcomes' WHEN 'deleteOutcome' THEN 'outcomes'
    WHEN 'correctStageChange' THEN 'stageHistory' WHEN 'deleteStageChange' THEN 'stageHistory'
  END
$$;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE FUNCTION audit_change_kind(action text) RETURNS text
LANGUAGE sql IMMUTABLE AS $$
  SELECT CASE
    WHEN audit_relationship_field(action) IS NOT NULL AND action NOT LIKE 'correct%' AND action NOT LIKE 'delete%' THEN 'RELATIONSHIP'
    WHEN action LIKE 'create%' OR action = 'recordInvestment' THEN 'CREATE'
    WHEN action LIKE 'archive%' THEN 'ARCHIVE'
    WHEN action LIKE 'unarchive%' OR action LIKE 'correct%' OR action LIKE 'delete%' THEN 'CORRECTION'
    ELSE 'UPDATE'
  END
$$;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE FUNCTION audit_changed_fields(action text, before jsonb, after jsonb) RETURNS text[]
LANGUAGE sql IMMUTABLE AS $$
  SELECT CASE WHEN audit_relationship_field(action) IS NOT NULL THEN ARRAY[audit_relationship_field(action)]
  ELSE ARRAY(
    SELECT lower(left(key, 1)) || substr(replace(initcap(key), '_', ''), 2)
    FROM jsonb_each(COALESCE(after, '{}')) a FULL JOIN jsonb_each(COALESCE(before, '{}')) b USING (key)
    WHERE a.value IS DISTINCT FROM b.value AND key NOT IN ('version', 'updated_at', 'created_at')
    ORDER BY key)
  END
$$;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE FUNCTION audit_log_concerns() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  NEW.kind := audit_change_kind(NEW.action);
  NEW.fields := audit_changed_fields(NEW.action, NEW.before, NEW.after);
  NEW.startup_id := CASE NEW.entity_type
    WHEN 'Startup' THEN NEW.entity_id
    WHEN 'Investment' THEN COALESCE((NEW.after->>'startup_id')::bigint, (NEW.before->>'startup_id')::bigint)
  END;
  IF audit_relationship_field(NEW.action) = 'universities' THEN
    NEW.university_id := COALESCE((NEW.after->>'university_id')::bigint, (NEW.before->>'university_id')::bigint);
  END IF;
  NEW.version := CASE NEW.entity_type
    WHEN 'Startup' THEN (SELECT version FROM startups WHERE id = NEW.entity_id)
    WHEN 'Investment' THEN (SELECT version FROM investments WHERE id = NEW.entity_id)
    WHEN 'Mentor' THEN (SELECT version FROM mentors WHERE id = NEW.entity_id)
    WHEN 'Fund' THEN (SELECT version FROM funds WHERE id = NEW.entity_id)
    WHEN 'Market' THEN (SELECT version FROM markets WHERE id = NEW.entity_id)
    WHEN 'Program' THEN (SELECT version FROM programs WHERE id = NEW.entity_id)
    WHEN 'Cohort' THEN (SELECT version FROM cohorts WHERE id = NEW.entity_id)
  END;
  RETURN NEW;
END
$$;
-- +goose StatementEnd

CREATE TRIGGER audit_log_concerns BEFORE INSERT ON audit_log
    FOR EACH ROW EXECUTE FUNCTION audit_log_concerns();

UPDATE audit_log SET
    kind = audit_change_kind(action),
    fields = audit_changed_fields(action, before, after),
    startup_id = CASE entity_type
        WHEN 'Startup' THEN entity_id
        WHEN 'Investment' THEN COALESCE((after->>'startup_id')::bigint, (before->>'startup_id')::bigint)
    END,
    university_id = CASE WHEN audit_relationship_field(action) = 'universities'
        THEN COALESCE((after->>'university_id')::bigint, (before->>'university_id')::bigint) END;
ALTER TABLE audit_log ALTER COLUMN kind SET NOT NULL, ALTER COLUMN fields SET NOT NULL;

-- The feed of one startup (a university's teams) in id order.
CREATE INDEX audit_log_startup_idx ON audit_log (startup_id, id) WHERE startup_id IS NOT NULL;

-- +goose Down
DROP INDEX audit_log_startup_idx;
DROP TRIGGER audit_log_concerns ON audit_log;
DROP FUNCTION audit_log_concerns();
DROP FUNCTION audit_changed_fields(text, jsonb, jsonb);
DROP FUNCTION audit_change_kind(text);
DROP FUNCTION audit_relationship_field(text);
ALTER TABLE audit_log DROP COLUMN kind, DROP COLUMN startup_id, DROP COLUMN university_id, DROP COLUMN version, DROP COLUMN fields;
