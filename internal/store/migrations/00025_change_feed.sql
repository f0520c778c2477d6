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
--   universities   the universities that may see the change, as it is
--                  written: for a startup's change (its own, a
--                  relationship's, an investment's) the universities
--                  assigned the startup then; for a mentor's, the
--                  universities of the teams it mentors then and its own.
--                  Visibility is fixed when the record is written, not
--                  when it is read: read later, a team assigned since
--                  would reveal changes behind a cursor that had already
--                  passed them, and a subscriber and a client reading the
--                  same feed later would disagree. (ADMIN and ANALYST see
--                  every record; public nodes' records are everyone's.)
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
    ADD COLUMN fields        text[],
    ADD COLUMN universities  bigint[];

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
CREATE FUNCTION audit_visible_to(entity_type text, entity_id bigint, startup_id bigint, university_id bigint) RETURNS bigint[]
LANGUAGE sql STABLE AS $$
  SELECT ARRAY(
    SELECT a.university_id FROM assignments a WHERE a.startup_id = audit_visible_to.startup_id
    UNION SELECT audit_visible_to.university_id WHERE audit_visible_to.university_id IS NOT NULL
    UNION SELECT x.university_id FROM mentorships m JOIN assignments x ON x.startup_id = m.startup_id
          WHERE entity_type = 'Mentor' AND m.mentor_id = entity_id
    UNION SELECT mm.affiliated_university_id FROM mentors mm
          WHERE entity_type = 'Mentor' AND mm.id = entity_id AND mm.affiliated_university_id IS NOT NULL
    ORDER BY 1)
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
  NEW.universities := audit_visible_to(NEW.entity_type, NEW.entity_id, NEW.startup_id, NEW.university_id);
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
-- Records written before the feed: who may see them is judged as now.
UPDATE audit_log SET universities = audit_visible_to(entity_type, entity_id, startup_id, university_id);
ALTER TABLE audit_log ALTER COLUMN kind SET NOT NULL, ALTER COLUMN fields SET NOT NULL, ALTER COLUMN universities SET NOT NULL;

-- A university's feed: the records it may see.
CREATE INDEX audit_log_universities_idx ON audit_log USING gin (universities);

-- +goose Down
DROP INDEX audit_log_universities_idx;
DROP TRIGGER audit_log_concerns ON audit_log;
DROP FUNCTION audit_log_concerns();
DROP FUNCTION audit_changed_fields(text, jsonb, jsonb);
DROP FUNCTION audit_visible_to(text, bigint, bigint, bigint);
DROP FUNCTION audit_change_kind(text);
DROP FUNCTION audit_relationship_field(text);
ALTER TABLE audit_log DROP COLUMN kind, DROP COLUMN startup_id, DROP COLUMN university_id, DROP COLUMN version, DROP COLUMN fields, DROP COLUMN universities;
