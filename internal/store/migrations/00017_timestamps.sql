-- Timestamps (issue 19): every node and every edge that carries facts
-- says when it was created (created_at, already there) and last changed
-- (updated_at), so a client can ask what changed since a time. The
-- database keeps updated_at: a BEFORE UPDATE trigger sets it to the
-- transaction's time when a column the client sees changed.
--
-- The figures triggers keep (migration 00010: a startup's invested total,
-- mentor count, market targets, jobs, patents, export value, last stage
-- change; a mentor's startup count; 00012: a stage change's days from the
-- previous stage) are not such columns: a new investment changes its
-- startup's invested_total, but not the startup, whose updated_at stays.
-- Their triggers name the other columns (UPDATE OF ...), so a recount
-- does not even run them, and the function ignores the columns it is
-- given (TG_ARGV) when it compares the row before and after: an update
-- that changes nothing a client sees keeps updated_at.
--
-- updated_at is the time the changing transaction began (now()), as
-- created_at is: a transaction that began before T and committed after
-- it has updated_at < T. A client syncing "since T" asks from a little
-- before its last sync.

-- +goose Up
ALTER TABLE assignments    ADD COLUMN updated_at timestamptz;
ALTER TABLE mentorships    ADD COLUMN updated_at timestamptz;
ALTER TABLE investments    ADD COLUMN updated_at timestamptz;
ALTER TABLE market_targets ADD COLUMN updated_at timestamptz;
ALTER TABLE memberships    ADD COLUMN updated_at timestamptz;
ALTER TABLE outcomes       ADD COLUMN updated_at timestamptz;
ALTER TABLE stage_changes  ADD COLUMN updated_at timestamptz;
ALTER TABLE mentor_markets ADD COLUMN updated_at timestamptz;
-- Setting updated_at changes no figure: the figures' triggers wait.
SET LOCAL startupgraph.figures_deferred = 'on';
UPDATE assignments    SET updated_at = created_at;
UPDATE mentorships    SET updated_at = created_at;
UPDATE investments    SET updated_at = created_at;
UPDATE market_targets SET updated_at = created_at;
UPDATE memberships    SET updated_at = created_at;
UPDATE outcomes       SET updated_at = created_at;
UPDATE stage_changes  SET updated_at = created_at;
UPDATE mentor_markets SET updated_at = created_at;
SET LOCAL startupgraph.figures_deferred = 'off';
ALTER TABLE assignments    ALTER COLUMN updated_at SET NOT NULL, ALTER COLUMN updated_at SET DEFAULT now();
ALTER TABLE mentorships    ALTER COLUMN updated_at SET NOT NULL, ALTER COLUMN updated_at SET DEFAULT now();
ALTER TABLE investments    ALTER COLUMN updated_at SET NOT NULL, ALTER COLUMN updated_at SET DEFAULT now();
ALTER TABLE market_targets ALTER COLUMN updated_at SET NOT NULL, ALTER COLUMN updated_at SET DEFAULT now();
ALTER TABLE memberships    ALTER COLUMN updated_at SET NOT NULL, ALTER COLUMN updated_at SET DEFAULT now();
ALTER TABLE outcomes       ALTER COLUMN updated_at SET NOT NULL, ALTER COLUMN updated_at SET DEFAULT now();
ALTER TABLE stage_changes  ALTER COLUMN updated_at SET NOT NULL, ALTER COLUMN updated_at SET DEFAULT now();
ALTER TABLE mentor_markets ALTER COLUMN updated_at SET NOT NULL, ALTER COLUMN updated_at SET DEFAULT now();

-- +goose StatementBegin
CREATE FUNCTION touch_updated_at() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    kept text[] := COALESCE(TG_ARGV, '{}') || '{updated_at}'; -- TG_ARGV is NULL without arguments
BEGIN
    IF (to_jsonb(NEW) - kept) IS DISTINCT FROM (to_jsonb(OLD) - kept) THEN
        NEW.updated_at := now();
    ELSE
        NEW.updated_at := OLD.updated_at;
    END IF;
    RETURN NEW;
END
$$;
-- +goose StatementEnd

CREATE TRIGGER startups_touch BEFORE UPDATE OF key, name_ko, name_en, description_ko, description_en, stage, founded_on,
    facility_id, provenance, version, archived_at ON startups
    FOR EACH ROW EXECUTE FUNCTION touch_updated_at('invested_total', 'mentor_count', 'market_target_count', 'jobs_created',
        'patents', 'export_value', 'last_stage_change');
CREATE TRIGGER mentors_touch BEFORE UPDATE OF key, name_ko, name_en, title_ko, title_en, task_force_member,
    affiliated_university_id, affiliated_organization_id, languages, provenance, version, archived_at ON mentors
    FOR EACH ROW EXECUTE FUNCTION touch_updated_at('startup_count');
CREATE TRIGGER stage_changes_touch BEFORE UPDATE OF startup_id, stage, changed_on, note, version ON stage_changes
    FOR EACH ROW EXECUTE FUNCTION touch_updated_at('days_from_previous_stage');
CREATE TRIGGER organizations_touch  BEFORE UPDATE ON organizations  FOR EACH ROW EXECUTE FUNCTION touch_updated_at();
CREATE TRIGGER universities_touch   BEFORE UPDATE ON universities   FOR EACH ROW EXECUTE FUNCTION touch_updated_at();
CREATE TRIGGER sectors_touch        BEFORE UPDATE ON sectors        FOR EACH ROW EXECUTE FUNCTION touch_updated_at();
CREATE TRIGGER programs_touch       BEFORE UPDATE ON programs       FOR EACH ROW EXECUTE FUNCTION touch_updated_at();
CREATE TRIGGER funds_touch          BEFORE UPDATE ON funds          FOR EACH ROW EXECUTE FUNCTION touch_updated_at();
CREATE TRIGGER facilities_touch     BEFORE UPDATE ON facilities     FOR EACH ROW EXECUTE FUNCTION touch_updated_at();
CREATE TRIGGER markets_touch        BEFORE UPDATE ON markets        FOR EACH ROW EXECUTE FUNCTION touch_updated_at();
CREATE TRIGGER cohorts_touch        BEFORE UPDATE ON cohorts        FOR EACH ROW EXECUTE FUNCTION touch_updated_at();
CREATE TRIGGER assignments_touch    BEFORE UPDATE ON assignments    FOR EACH ROW EXECUTE FUNCTION touch_updated_at();
CREATE TRIGGER mentorships_touch    BEFORE UPDATE ON mentorships    FOR EACH ROW EXECUTE FUNCTION touch_updated_at();
CREATE TRIGGER investments_touch    BEFORE UPDATE ON investments    FOR EACH ROW EXECUTE FUNCTION touch_updated_at();
CREATE TRIGGER market_targets_touch BEFORE UPDATE ON market_targets FOR EACH ROW EXECUTE FUNCTION touch_updated_at();
CREATE TRIGGER memberships_touch    BEFORE UPDATE ON memberships    FOR EACH ROW EXECUTE FUNCTION touch_updated_at();
CREATE TRIGGER outcomes_touch       BEFORE UPDATE ON outcomes       FOR EACH ROW EXECUTE FUNCTION touch_updated_at();
CREATE TRIGGER mentor_markets_touch BEFORE UPDATE ON mentor_markets FOR EACH ROW EXECUTE FUNCTION touch_updated_at();

-- "What changed since T" over the large lists reads an index.
CREATE INDEX startups_updated_at_idx ON startups (updated_at, id);
CREATE INDEX mentors_updated_at_idx ON mentors (updated_at, id);
CREATE INDEX investments_updated_at_idx ON investments (updated_at, id);

-- +goose Down
DROP INDEX investments_updated_at_idx;
DROP INDEX mentors_updated_at_idx;
DROP INDEX startups_updated_at_idx;
DROP TRIGGER mentor_markets_touch ON mentor_markets;
DROP TRIGGER outcomes_touch ON outcomes;
DROP TRIGGER memberships_touch ON memberships;
DROP TRIGGER market_targets_touch ON market_targets;
DROP TRIGGER investments_touch ON investments;
DROP TRIGGER mentorships_touch ON mentorships;
DROP TRIGGER assignments_touch ON assignments;
DROP TRIGGER cohorts_touch ON cohorts;
DROP TRIGGER markets_touch ON markets;
DROP TRIGGER facilities_touch ON facilities;
DROP TRIGGER funds_touch ON funds;
DROP TRIGGER programs_touch ON programs;
DROP TRIGGER sectors_touch ON sectors;
DROP TRIGGER universities_touch ON universities;
DROP TRIGGER organizations_touch ON organizations;
DROP TRIGGER stage_changes_touch ON stage_changes;
DROP TRIGGER mentors_touch ON mentors;
DROP TRIGGER startups_touch ON startups;
DROP FUNCTION touch_updated_at();
ALTER TABLE mentor_markets DROP COLUMN updated_at;
ALTER TABLE stage_changes  DROP COLUMN updated_at;
ALTER TABLE outcomes       DROP COLUMN updated_at;
ALTER TABLE memberships    DROP COLUMN updated_at;
ALTER TABLE market_targets DROP COLUMN updated_at;
ALTER TABLE investments    DROP COLUMN updated_at;
ALTER TABLE mentorships    DROP COLUMN updated_at;
ALTER TABLE assignments    DROP COLUMN updated_at;
