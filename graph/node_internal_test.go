package graph

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"

	"startupgraph/internal/globalid"
	"startupgraph/internal/loader"
	"startupgraph/internal/model"
)

// TestNodesRecoversAPanicPerID: nodes(ids:) loads each id in a goroutine
// of its own, where the executor's recovery does not reach. A panic there
// (here: loaders over no store) is that id's error, at its index, not a
// crash of the process.
func TestNodesRecoversAPanicPerID(t *testing.T) {
	var ctx context.Context
	loader.Middleware(nil, http.HandlerFunc(func(_ http.ResponseWriter, r *http.Request) { ctx = r.Context() })).
		ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(http.MethodGet, "/", nil))
	var recovered []any
	ctx = graphql.WithResponseContext(ctx, graphql.DefaultErrorPresenter, graphql.DefaultRecover)
	ctx = graphql.WithOperationContext(ctx, &graphql.OperationContext{RecoverFunc: func(ctx context.Context, p any) error {
		recovered = append(recovered, p)
		return errors.New("internal system error")
	}})
	ids := []string{globalid.Encode(globalid.Startup, 1)}
	out, err := (&Resolver{}).nodes(ctx, ids)
	if err != nil {
		t.Fatalf("nodes: %v", err)
	}
	if len(out) != 1 || out[0] != model.Node(nil) {
		t.Errorf("nodes = %v, want one null", out)
	}
	if len(recovered) != 1 {
		t.Errorf("RecoverFunc called %d times, want 1", len(recovered))
	}
	errs := graphql.GetErrors(ctx)
	if len(errs) != 1 || len(errs[0].Path) != 1 || errs[0].Path[0] != ast.PathIndex(0) {
		t.Errorf("errors = %v, want one at index 0", errs)
	}
}
