-- Live changes (issue 21): every audit record is announced with NOTIFY on
-- the channel startupgraph_changes, by a trigger in the transaction that
-- writes it (so no write can forget it), and PostgreSQL delivers it to
-- every listening server when, and only if, that transaction commits. The
-- payload is "<audit id> <microseconds since the epoch when written>": the
-- listeners read the records themselves, by cursor, as each subscriber may
-- see them; the time measures how late the announcement arrives.

-- +goose Up
-- +goose StatementBegin
CREATE FUNCTION audit_log_notify() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('startupgraph_changes', NEW.id::text || ' ' || (extract(epoch FROM clock_timestamp()) * 1000000)::bigint::text);
  RETURN NULL;
END
$$;
-- +goose StatementEnd

CREATE TRIGGER audit_log_notify AFTER INSERT ON audit_log
    FOR EACH ROW EXECUTE FUNCTION audit_log_notify();

-- +goose Down
DROP TRIGGER audit_log_notify ON audit_log;
DROP FUNCTION audit_log_notify();
