-- Rate limits shared by every server process on the database (issue 22).
-- A row is one budget: an API key's ("key:<id>"), a client address's
-- ("addr:<prefix>"), an IPv6 site's ("site:<prefix>") or a named client's
-- ("name:<name>"). tokens is what the bucket held at updated_at; it
-- refills at size per window, up to size. A process does not come here
-- per request: it reserves a batch (rate_take) into a lease of its own,
-- spends from the lease, and gives back what it did not spend (rate_give),
-- so every point spent anywhere was first taken from this row.
--
-- UNLOGGED: a budget is not worth a WAL record per batch. After a crash
-- the table is empty, which is every budget full again (as a restart of a
-- single process used to be); a streaming replica does not hold it (it is
-- written on the primary only).
--
-- Rows of budgets untouched for a window are full again, and are
-- deleted (store.PruneRateBuckets), as are the oldest past a count: the
-- table is bounded whatever the number of addresses that call.

-- +goose Up
CREATE UNLOGGED TABLE rate_buckets (
    bucket     text PRIMARY KEY,
    tokens     double precision NOT NULL,
    granted    double precision NOT NULL,
    updated_at timestamptz NOT NULL
);

-- What a bucket holding tokens at since holds at at, refilled at size
-- per window seconds.
-- +goose StatementBegin
CREATE FUNCTION rate_refilled(tokens double precision, since timestamptz, at timestamptz, size double precision, window_secs double precision)
RETURNS double precision LANGUAGE sql IMMUTABLE AS $$
  SELECT least(size, tokens + greatest(0, extract(epoch FROM at - since)) * size / window_secs)
$$;
-- +goose StatementEnd

-- What a bucket holding tokens grants to a request for want that needs at
-- least need: as much of want as it holds, or nothing when it holds less
-- than need.
-- +goose StatementBegin
CREATE FUNCTION rate_grant(tokens double precision, want double precision, need double precision)
RETURNS double precision LANGUAGE sql IMMUTABLE AS $$
  SELECT CASE WHEN tokens >= need THEN least(want, tokens) ELSE 0 END
$$;
-- +goose StatementEnd

-- rate_take refills bucket (size per window_secs; a bucket never seen is
-- full) and takes up to want from it if it holds at least need, in one
-- row version: granted is what was taken (0: refused), tokens what is
-- left (for how long to wait).
-- +goose StatementBegin
CREATE FUNCTION rate_take(bucket text, size double precision, window_secs double precision, want double precision, need double precision,
                          OUT granted double precision, OUT tokens double precision)
LANGUAGE sql AS $$
  INSERT INTO rate_buckets AS b (bucket, tokens, granted, updated_at)
  VALUES (rate_take.bucket, size - rate_grant(size, want, need), rate_grant(size, want, need), now())
  ON CONFLICT ON CONSTRAINT rate_buckets_pkey DO UPDATE SET
    granted    = rate_grant(rate_refilled(b.tokens, b.updated_at, now(), size, window_secs), want, need),
    tokens     = rate_refilled(b.tokens, b.updated_at, now(), size, window_secs)
                 - rate_grant(rate_refilled(b.tokens, b.updated_at, now(), size, window_secs), want, need),
    updated_at = now()
  RETURNING b.granted, b.tokens
$$;
-- +goose StatementEnd

-- +goose Down
DROP FUNCTION rate_take(text, double precision, double precision, double precision, double precision);
DROP FUNCTION rate_grant(double precision, double precision, double precision);
DROP FUNCTION rate_refilled(double precision, timestamptz, timestamptz, double precision, double precision);
DROP TABLE rate_buckets;
