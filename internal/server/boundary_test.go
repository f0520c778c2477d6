package server_test

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// moduleRoot is the module's directory, seen from this package's.
const moduleRoot = "../.."

// sourceFiles parses every hand-written, non-test Go file of the module.
func sourceFiles(t *testing.T) map[string]*ast.File {
	t.Helper()
	fset := token.NewFileSet()
	files := map[string]*ast.File{}
	err := filepath.WalkDir(moduleRoot, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			switch d.Name() {
			case ".git", ".data", "node_modules", "testdata", "generated":
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		f, err := parser.ParseFile(fset, path, nil, parser.SkipObjectResolution)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(moduleRoot, path)
		files[filepath.ToSlash(rel)] = f
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(files) < 50 {
		t.Fatalf("found only %d source files under %s", len(files), moduleRoot)
	}
	return files
}

// inEdge: the HTTP edge itself, and the benchmark's floors
// (internal/bench), plain HTTP servers that stand in for the service to
// measure what it costs over them.
func inEdge(path string) bool {
	return strings.HasPrefix(path, "internal/server/") || strings.HasPrefix(path, "internal/bench/")
}

// TestOnlyTheEdgeSpeaksHTTP: no package outside internal/server reads a
// request's body or writes an error as JSON ({"errors": ...}).
func TestOnlyTheEdgeSpeaksHTTP(t *testing.T) {
	for path, f := range sourceFiles(t) {
		if inEdge(path) {
			continue
		}
		tags := map[*ast.BasicLit]bool{}
		ast.Inspect(f, func(n ast.Node) bool {
			if fld, ok := n.(*ast.Field); ok && fld.Tag != nil {
				tags[fld.Tag] = true // decoding a response (apitest) is not writing one
			}
			return true
		})
		ast.Inspect(f, func(n ast.Node) bool {
			switch n := n.(type) {
			case *ast.FuncDecl:
				checkBodyReads(t, path, n.Name.Name, n.Type, n.Body)
			case *ast.FuncLit:
				checkBodyReads(t, path, "a func literal", n.Type, n.Body)
			case *ast.KeyValueExpr: // map[string]any{"errors": ...}
				if lit, ok := n.Key.(*ast.BasicLit); ok && lit.Value == `"errors"` {
					t.Errorf("%s: a map with \"errors\" writes error JSON; only the HTTP edge (internal/server) does", path)
				}
			case *ast.BasicLit: // `{"errors":[...]}`
				if s, err := strconv.Unquote(n.Value); err == nil && !tags[n] && strings.Contains(s, `"errors"`) {
					t.Errorf("%s: %s writes error JSON; only the HTTP edge (internal/server) does", path, n.Value)
				}
			}
			return true
		})
	}
}

// checkBodyReads reports a use of the Body of a *http.Request parameter.
func checkBodyReads(t *testing.T, path, fn string, typ *ast.FuncType, body *ast.BlockStmt) {
	t.Helper()
	if body == nil {
		return
	}
	requests := map[string]bool{}
	for _, p := range typ.Params.List {
		if star, ok := p.Type.(*ast.StarExpr); ok && isSelector(star.X, "http", "Request") {
			for _, name := range p.Names {
				requests[name.Name] = true
			}
		}
	}
	if len(requests) == 0 {
		return
	}
	ast.Inspect(body, func(n ast.Node) bool {
		if sel, ok := n.(*ast.SelectorExpr); ok && sel.Sel.Name == "Body" {
			if id, ok := sel.X.(*ast.Ident); ok && requests[id.Name] {
				t.Errorf("%s: %s reads the request body; only the HTTP edge (internal/server) does", path, fn)
			}
		}
		return true
	})
}

func isSelector(e ast.Expr, pkg, name string) bool {
	sel, ok := e.(*ast.SelectorExpr)
	if !ok {
		return false
	}
	id, ok := sel.X.(*ast.Ident)
	return ok && id.Name == pkg && sel.Sel.Name == name
}

// TestErrorCodesAreConstants: every extensions.code is named by its
// constant in internal/apperr: no other file spells one as a string.
func TestErrorCodesAreConstants(t *testing.T) {
	files := sourceFiles(t)
	apperr, ok := files["internal/apperr/apperr.go"]
	if !ok {
		t.Fatal("internal/apperr/apperr.go not found")
	}
	codes := map[string]bool{}
	for _, decl := range apperr.Decls {
		gen, ok := decl.(*ast.GenDecl)
		if !ok || gen.Tok != token.CONST {
			continue
		}
		for _, spec := range gen.Specs {
			vs := spec.(*ast.ValueSpec)
			if id, ok := vs.Type.(*ast.Ident); !ok || id.Name != "Code" {
				continue
			}
			for _, v := range vs.Values {
				if lit, ok := v.(*ast.BasicLit); ok {
					s, _ := strconv.Unquote(lit.Value)
					codes[s] = true
				}
			}
		}
	}
	if len(codes) < 20 {
		t.Fatalf("apperr declares only %d codes", len(codes))
	}
	for path, f := range files {
		if path == "internal/apperr/apperr.go" {
			continue
		}
		ast.Inspect(f, func(n ast.Node) bool {
			if lit, ok := n.(*ast.BasicLit); ok && lit.Kind == token.STRING {
				s, _ := strconv.Unquote(lit.Value)
				for code := range codes {
					if s == code || strings.Contains(s, `"`+code+`"`) {
						t.Errorf("%s: %s spells the code %s; use its apperr constant", path, lit.Value, code)
					}
				}
			}
			return true
		})
	}
}
