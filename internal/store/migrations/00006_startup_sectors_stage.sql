-- The dashboards' commonest filter is startups by sector and stage, with
-- its exact total. Counted over startups, that total joins the startups of
-- the stages (startups_stage_idx) with the startups of the sector
-- (startup_sectors_sector_startup_idx): both sides grow with the data,
-- while the answer is their much smaller overlap. Each startup_sectors row
-- now holds a copy of its startup's stage, kept current by the two
-- triggers below, and (sector_id, stage, startup_id) reads the overlap
-- alone (store.sectorStageCount). Measured on 200,000 synthetic startups:
-- the count of PROTOTYPE startups in one sector, 8-9 ms -> 1.0 ms (an
-- index-only scan of 11,720 entries).
--
-- The copy stays exact under concurrent writes at READ COMMITTED (the
-- level the store's writes ask for, write.go): an inserted row reads the stage FOR SHARE, so it waits
-- for a stage change in progress and then sees its result; a stage change
-- waits for such an insert to commit, and its trigger's UPDATE, a
-- statement of its own, then sees the inserted row.

-- +goose Up
-- No stage may change between the copy below and the triggers that carry
-- changes (another instance may be serving while this one migrates).
LOCK TABLE startups IN SHARE ROW EXCLUSIVE MODE;
ALTER TABLE startup_sectors ADD COLUMN stage text;
UPDATE startup_sectors x SET stage = n.stage FROM startups n WHERE n.id = x.startup_id;
ALTER TABLE startup_sectors ALTER COLUMN stage SET NOT NULL;

-- +goose StatementBegin
CREATE FUNCTION startup_sectors_copy_stage() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    SELECT n.stage INTO STRICT NEW.stage FROM startups n WHERE n.id = NEW.startup_id FOR SHARE;
    RETURN NEW;
END
$$;
-- +goose StatementEnd
CREATE TRIGGER startup_sectors_copy_stage BEFORE INSERT OR UPDATE OF startup_id, stage ON startup_sectors
    FOR EACH ROW EXECUTE FUNCTION startup_sectors_copy_stage();

-- +goose StatementBegin
CREATE FUNCTION startups_propagate_stage() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE startup_sectors SET stage = NEW.stage WHERE startup_id = NEW.id;
    RETURN NULL;
END
$$;
-- +goose StatementEnd
CREATE TRIGGER startups_propagate_stage AFTER UPDATE OF stage ON startups
    FOR EACH ROW WHEN (OLD.stage IS DISTINCT FROM NEW.stage) EXECUTE FUNCTION startups_propagate_stage();

CREATE INDEX startup_sectors_sector_stage_startup_idx ON startup_sectors (sector_id, stage, startup_id);

-- +goose Down
DROP INDEX startup_sectors_sector_stage_startup_idx;
DROP TRIGGER startups_propagate_stage ON startups;
DROP FUNCTION startups_propagate_stage();
DROP TRIGGER startup_sectors_copy_stage ON startup_sectors;
DROP FUNCTION startup_sectors_copy_stage();
ALTER TABLE startup_sectors DROP COLUMN stage;
