-- Corrections (issue 19): every recorded fact can be corrected or removed
-- by ADMIN, with the version the client read and a reason.
--
-- Outcomes and stage changes get a version, as investments have (00004):
-- their corrections take it as expectedVersion. The edges addressed by
-- their ends (assignments, mentorships, market targets, memberships) are
-- part of their startup: their corrections take the startup's version.
-- The audit trail keeps the reason a correction gave. An investment made
-- before its startup was founded is accepted only when marked so.

-- +goose Up
ALTER TABLE outcomes      ADD COLUMN version integer NOT NULL DEFAULT 1;
ALTER TABLE stage_changes ADD COLUMN version integer NOT NULL DEFAULT 1;
ALTER TABLE investments   ADD COLUMN pre_founding boolean NOT NULL DEFAULT false;
ALTER TABLE audit_log     ADD COLUMN reason text;

-- +goose Down
ALTER TABLE audit_log     DROP COLUMN reason;
ALTER TABLE investments   DROP COLUMN pre_founding;
ALTER TABLE stage_changes DROP COLUMN version;
ALTER TABLE outcomes      DROP COLUMN version;
