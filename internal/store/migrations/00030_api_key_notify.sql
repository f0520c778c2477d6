-- API keys changed through one server process take effect on every
-- process (issue 22): each process caches verified and refused keys for
-- up to 30 s (internal/auth). Every change that can grant or take away
-- access (a key created, revoked, expired, deleted, its role or university
-- changed) is announced with NOTIFY on startupgraph_api_keys, from the
-- transaction that makes it (delivered when it commits), whatever makes
-- it: the server, the apikey command, or SQL by hand. The payload is
-- "<key id> <key_hash in hex>"; each process's listener (internal/live)
-- forgets that key, and its subscriptions check it again. Recording a
-- key's use (last_used_at) announces nothing.

-- +goose Up
-- +goose StatementBegin
CREATE FUNCTION api_keys_notify() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
  k api_keys;
BEGIN
  IF TG_OP = 'DELETE' THEN k := OLD; ELSE k := NEW; END IF;
  PERFORM pg_notify('startupgraph_api_keys', k.id::text || ' ' || encode(k.key_hash, 'hex'));
  IF TG_OP = 'UPDATE' AND OLD.key_hash IS DISTINCT FROM NEW.key_hash THEN
    PERFORM pg_notify('startupgraph_api_keys', OLD.id::text || ' ' || encode(OLD.key_hash, 'hex'));
  END IF;
  RETURN NULL;
END
$$;
-- +goose StatementEnd

CREATE TRIGGER api_keys_notify
    AFTER INSERT OR DELETE OR UPDATE OF role, university_id, expires_at, revoked_at, key_hash ON api_keys
    FOR EACH ROW EXECUTE FUNCTION api_keys_notify();

-- +goose Down
DROP TRIGGER api_keys_notify ON api_keys;
DROP FUNCTION api_keys_notify();
