package graph

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/errcode"
	"github.com/99designs/gqlgen/graphql/handler/extension"
	"github.com/99designs/gqlgen/graphql/handler/lru"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"startupgraph/internal/viewer"
)

// persistedQueries is Apollo's automatic persisted queries, as gqlgen's
// extension.AutomaticPersistedQuery does them (same messages and code),
// with two caches instead of one: queries registered with an API key and
// queries registered without. Anyone may register a query without a key,
// so anonymous traffic could otherwise evict every query the dashboards
// rely on; here it evicts only other anonymous registrations. A hash is
// looked up in both.
type persistedQueries struct {
	keyed, anonymous graphql.Cache[string]
}

// newPersistedQueries keeps size queries of each kind.
func newPersistedQueries(size int) persistedQueries {
	return persistedQueries{keyed: lru.New[string](size), anonymous: lru.New[string](size)}
}

var _ interface {
	graphql.OperationParameterMutator
	graphql.HandlerExtension
} = persistedQueries{}

func (persistedQueries) ExtensionName() string { return "AutomaticPersistedQuery" }

func (persistedQueries) Validate(graphql.ExecutableSchema) error { return nil }

func (p persistedQueries) MutateOperationParameters(ctx context.Context, raw *graphql.RawParams) *gqlerror.Error {
	ext, present := raw.Extensions["persistedQuery"]
	if !present || ext == nil {
		return nil
	}
	fields, ok := ext.(map[string]any)
	if !ok {
		return gqlerror.Errorf("invalid APQ extension data")
	}
	hash, hashOK := fields["sha256Hash"].(string)
	if _, given := fields["sha256Hash"]; given && !hashOK {
		return gqlerror.Errorf("invalid APQ extension data")
	}
	if !isVersion1(fields["version"]) {
		return gqlerror.Errorf("unsupported APQ version")
	}
	sent := raw.Query != ""
	if sent {
		sum := sha256.Sum256([]byte(raw.Query))
		if hex.EncodeToString(sum[:]) != hash {
			return gqlerror.Errorf("provided APQ hash does not match query")
		}
		if viewer.From(ctx).Authenticated() {
			p.keyed.Add(ctx, hash, raw.Query)
		} else {
			p.anonymous.Add(ctx, hash, raw.Query)
		}
	} else {
		q, found := p.keyed.Get(ctx, hash)
		if !found {
			q, found = p.anonymous.Get(ctx, hash)
		}
		if !found {
			err := gqlerror.Errorf("PersistedQueryNotFound")
			errcode.Set(err, "PERSISTED_QUERY_NOT_FOUND")
			return err
		}
		raw.Query = q
	}
	graphql.GetOperationContext(ctx).Stats.SetExtension("APQ", &extension.ApqStats{Hash: hash, SentQuery: sent})
	return nil
}

// isVersion1 reads the APQ version as our transport decodes numbers
// (json.Number), or as a Go caller might give it.
func isVersion1(v any) bool {
	switch n := v.(type) {
	case json.Number:
		return n.String() == "1"
	case float64:
		return n == 1
	case int:
		return n == 1
	case int64:
		return n == 1
	}
	return false
}
