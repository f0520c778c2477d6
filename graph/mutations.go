package graph

import (
	"context"
	"errors"
	"time"

	"github.com/vektah/gqlparser/v2/gqlerror"

	"startupgraph/graph/generated"
	"startupgraph/internal/apperr"
	"startupgraph/internal/globalid"
	"startupgraph/internal/loader"
	"startupgraph/internal/model"
)

// Mutations: resolvers validate the whole input (every problem reported
// at once, with its field path), call one store method (one transaction),
// and answer with the changed node read afresh. This file holds what they
// share in answering: the payloads and the read-back after a write; the
// input checks are in mutation_input.go.

// startupPayload reads the startup afresh after a write: the request's
// loaders are reset, so nothing cached before the write is served.
func startupPayload(ctx context.Context, id int64, replayed bool) (*generated.StartupPayload, error) {
	s, err := reload(ctx, startupOf, id)
	if err != nil {
		return nil, err
	}
	return &generated.StartupPayload{Startup: s, Replayed: replayed}, nil
}

func investmentPayload(ctx context.Context, id int64, replayed bool) (*generated.InvestmentPayload, error) {
	inv, err := reload(ctx, investmentOf, id)
	if err != nil {
		return nil, err
	}
	return &generated.InvestmentPayload{Investment: inv, Replayed: replayed}, nil
}

// reload reads a node afresh after a write, for the payload. The write is
// committed by then, so a database that went away in between must not
// turn it into a plain failure a client would repeat: the read is retried
// (up to readBackWaits, within the request's deadline), and if it still
// fails the error says the change was saved (extensions.saved = true).
func reload[M model.Identified](ctx context.Context, pick func(*loader.Loaders) *loader.ByID[M], id int64) (*M, error) {
	l := loader.For(ctx)
	for attempt := 0; ; attempt++ {
		l.Reset()
		m, err := pick(l).Load(ctx, id)
		if err == nil {
			return &m, nil
		}
		if !errors.Is(err, apperr.ErrUnavailable) {
			return nil, err
		}
		if attempt == len(readBackWaits) || !sleep(ctx, readBackWaits[attempt]) {
			return nil, &gqlerror.Error{
				Message:    "the change was saved, but reading it back failed; query it again shortly instead of repeating the change",
				Extensions: map[string]any{"code": string(apperr.CodeUnavailable), "saved": true},
			}
		}
	}
}

// readBackWaits are the pauses between attempts to read a written node
// back while the database is unreachable.
var readBackWaits = []time.Duration{100 * time.Millisecond, 300 * time.Millisecond, time.Second}

// sleep waits d, or reports false when ctx ends first.
func sleep(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}

// The loaders reload picks from, per type.
func startupOf(l *loader.Loaders) *loader.ByID[model.Startup]       { return l.Startup }
func investmentOf(l *loader.Loaders) *loader.ByID[model.Investment] { return l.Investment }
func mentorOf(l *loader.Loaders) *loader.ByID[model.Mentor]         { return l.Mentor }
func fundOf(l *loader.Loaders) *loader.ByID[model.Fund]             { return l.Fund }
func marketOf(l *loader.Loaders) *loader.ByID[model.Market]         { return l.Market }
func programOf(l *loader.Loaders) *loader.ByID[model.Program]       { return l.Program }
func cohortOf(l *loader.Loaders) *loader.ByID[model.Cohort]         { return l.Cohort }

// archive archives a node of typ and reloads it.
func archive[M model.Identified](ctx context.Context, r *mutationResolver, typ globalid.Type, in generated.ArchiveInput, pick func(*loader.Loaders) *loader.ByID[M]) (*M, error) {
	a := r.args(ctx)
	id, version := a.node("input.id", typ, in.ID, in.Key), a.version(in.ExpectedVersion)
	if err := a.err(); err != nil {
		return nil, err
	}
	if err := r.Store.Archive(ctx, string(typ), id, version); err != nil {
		return nil, err
	}
	return reload(ctx, pick, id)
}
