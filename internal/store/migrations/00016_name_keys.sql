-- Duplicate names (issue 19): creating a node whose Korean or English name
-- matches an existing one of its type is CONFLICT unless the input allows
-- it. Names match when their name_key is equal: Unicode NFKC (full-width
-- and half-width forms, compatibility characters and decomposed Hangul
-- jamo become their composed forms, so Hangul is NFC), without white
-- space, in lower case (ICU's, so beyond ASCII too, where the server has
-- ICU; the database's own lower() otherwise, which under the C locale
-- folds ASCII only). The comparison reads an expression index of each
-- name (store.duplicateName), not every row.

-- +goose Up
-- +goose StatementBegin
DO $$
BEGIN
    IF EXISTS (SELECT 1 FROM pg_collation WHERE collname = 'und-x-icu') THEN
        CREATE FUNCTION name_key(t text) RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
        RETURN lower(regexp_replace(normalize(t, NFKC), '[[:space:]]+', '', 'g') COLLATE "und-x-icu");
    ELSE
        CREATE FUNCTION name_key(t text) RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
        RETURN lower(regexp_replace(normalize(t, NFKC), '[[:space:]]+', '', 'g'));
    END IF;
END
$$;
-- +goose StatementEnd
CREATE INDEX startups_name_ko_key_idx ON startups (name_key(name_ko));
CREATE INDEX startups_name_en_key_idx ON startups (name_key(name_en));
CREATE INDEX mentors_name_ko_key_idx ON mentors (name_key(name_ko));
CREATE INDEX mentors_name_en_key_idx ON mentors (name_key(name_en));
CREATE INDEX funds_name_ko_key_idx ON funds (name_key(name_ko));
CREATE INDEX funds_name_en_key_idx ON funds (name_key(name_en));
CREATE INDEX markets_name_ko_key_idx ON markets (name_key(name_ko));
CREATE INDEX markets_name_en_key_idx ON markets (name_key(name_en));
CREATE INDEX programs_name_ko_key_idx ON programs (name_key(name_ko));
CREATE INDEX programs_name_en_key_idx ON programs (name_key(name_en));
CREATE INDEX cohorts_name_ko_key_idx ON cohorts (name_key(name_ko));
CREATE INDEX cohorts_name_en_key_idx ON cohorts (name_key(name_en));

-- +goose Down
DROP INDEX cohorts_name_en_key_idx;
DROP INDEX cohorts_name_ko_key_idx;
DROP INDEX programs_name_en_key_idx;
DROP INDEX programs_name_ko_key_idx;
DROP INDEX markets_name_en_key_idx;
DROP INDEX markets_name_ko_key_idx;
DROP INDEX funds_name_en_key_idx;
DROP INDEX funds_name_ko_key_idx;
DROP INDEX mentors_name_en_key_idx;
DROP INDEX mentors_name_ko_key_idx;
DROP INDEX startups_name_en_key_idx;
DROP INDEX startups_name_ko_key_idx;
DROP FUNCTION name_key(text);
