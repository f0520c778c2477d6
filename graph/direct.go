package graph

import (
	"bytes"
	"context"
	"errors"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"

	"startupgraph/internal/globalid"
	"startupgraph/internal/i18n"
	"startupgraph/internal/model"
)

// The direct executor answers the most common read queries (lists,
// lookups and relationship pages of the node types in direct_types.go,
// with their plain fields) without gqlgen's generated marshalling, which costs
// a goroutine per list element and a few dozen allocations per field
// (issue #22). It runs after gqlgen has parsed, validated, limited and
// priced the operation, calls the same resolvers, loaders and store, and
// writes the JSON response in one pass, in document order.
//
// It covers a query only when every field the query selects is in its
// tables (direct_types.go): a field it does not know, an argument it does
// not read, a directive other than @skip, @include and @authenticated: the
// whole operation goes to gqlgen unchanged. Any error while it runs (a refused field, a cancelled
// request, a store error) also hands the operation to gqlgen, which answers
// it again with the errors, paths and partial data it always gave; reads
// have no side effects, and the request's loaders keep what was fetched.
// TestDirectMatchesGqlgen holds it to gqlgen's bytes.

// directSchema is the generated executable schema with the direct executor
// in front of its queries.
type directSchema struct {
	graphql.ExecutableSchema
	res *Resolver
	// present and recover are the handler's error presenter and recover
	// function, for the direct executor's own response context.
	present graphql.ErrorPresenterFunc
	recover graphql.RecoverFunc
}

// errDirect stops the direct executor: gqlgen answers instead.
var errDirect = errors.New("direct executor: answer through gqlgen")

// directOff marks a context whose operations gqlgen answers alone
// (WithoutDirect).
type directOff struct{}

// WithoutDirect returns ctx with the direct executor off: its operations
// go to gqlgen's generated code only (the comparison tests and benchmarks
// use it).
func WithoutDirect(ctx context.Context) context.Context {
	return context.WithValue(ctx, directOff{}, true)
}

// directCounts count the queries the direct executor answered, and those
// it began and handed to gqlgen (an error, a cancelled request).
var directAnswered, directHandedOver atomic.Uint64

// DirectCounts reports how many queries the direct executor answered
// whole, and how many it began and handed to gqlgen, since the process
// started.
func DirectCounts() (answered, handedOver uint64) {
	return directAnswered.Load(), directHandedOver.Load()
}

func (d directSchema) Exec(ctx context.Context) graphql.ResponseHandler {
	oc := graphql.GetOperationContext(ctx)
	if oc.Operation == nil || oc.Operation.Operation != ast.Query || ctx.Value(directOff{}) != nil {
		return d.ExecutableSchema.Exec(ctx)
	}
	c := &compiler{oc: oc, ctx: ctx, res: d.res, schema: d.Schema()}
	write, ok := queryType.compile(c, oc.Operation.SelectionSet)
	if !ok {
		return d.ExecutableSchema.Exec(ctx)
	}
	done := false
	return func(ctx context.Context) *graphql.Response {
		if done {
			return nil
		}
		done = true
		// The resolvers run in a response context of their own: an error
		// one of them adds (graphql.AddError) rather than returns is seen
		// here, and gqlgen, answering instead, starts from a clean one.
		rctx := graphql.WithResponseContext(ctx, d.present, d.recover)
		r := &run{ctx: rctx, buf: getBuffer()}
		if err := r.write(write); err != nil || len(graphql.GetErrors(rctx)) > 0 {
			putBuffer(r.buf)
			directHandedOver.Add(1)
			return d.ExecutableSchema.Exec(ctx)(ctx)
		}
		directAnswered.Add(1)
		data := bytes.Clone(r.buf.Bytes())
		putBuffer(r.buf)
		return &graphql.Response{Data: data}
	}
}

var buffers = sync.Pool{New: func() any { return new(bytes.Buffer) }}

func getBuffer() *bytes.Buffer { return buffers.Get().(*bytes.Buffer) }

func putBuffer(b *bytes.Buffer) {
	if b.Cap() > 1<<20 { // a huge response's buffer is not kept
		return
	}
	b.Reset()
	buffers.Put(b)
}

// rootQuery is the Query type's object: it has no fields of its own.
type rootQuery struct{}

// run is one execution: the request's context and the response being
// written.
type run struct {
	ctx context.Context
	buf *bytes.Buffer
}

// write runs the compiled query. A panic in it hands the query to gqlgen
// too, whose recover function reports it as it reports any resolver's.
func (r *run) write(query writer[rootQuery]) (err error) {
	defer func() {
		if recover() != nil {
			err = errDirect
		}
	}()
	return query(r, &rootQuery{})
}

// alive reports errDirect once the request is cancelled or timed out, so
// gqlgen answers with the usual error.
func (r *run) alive() error {
	if r.ctx.Err() != nil {
		return errDirect
	}
	return nil
}

// str writes s as a JSON string, escaped exactly as gqlgen's
// graphql.MarshalString escapes it.
func (r *run) str(s string) {
	w := r.buf
	w.WriteByte('"')
	start := 0
	for i, c := range s {
		if c < 0x20 || c == '\\' || c == '"' {
			w.WriteString(s[start:i])
			switch c {
			case '\t':
				w.WriteString(`\t`)
			case '\r':
				w.WriteString(`\r`)
			case '\n':
				w.WriteString(`\n`)
			case '\\':
				w.WriteString(`\\`)
			case '"':
				w.WriteString(`\"`)
			default:
				w.WriteString(`\u00`)
				w.WriteByte(hexDigits[c>>4])
				w.WriteByte(hexDigits[c&0xf])
			}
			start = i + 1
		}
	}
	w.WriteString(s[start:])
	w.WriteByte('"')
}

const hexDigits = "0123456789ABCDEF"

// id writes a node's global id (ids need no escaping).
func (r *run) id(t globalid.Type, rowID int64) {
	r.buf.WriteByte('"')
	r.buf.Write(globalid.AppendEncode(r.buf.AvailableBuffer(), t, rowID))
	r.buf.WriteByte('"')
}

func (r *run) int(n int) { r.buf.Write(strconv.AppendInt(r.buf.AvailableBuffer(), int64(n), 10)) }

func (r *run) bool(b bool) { r.buf.Write(strconv.AppendBool(r.buf.AvailableBuffer(), b)) }

func (r *run) null() { r.buf.WriteString("null") }

// marshal writes a value through its gqlgen marshaller (the rarer scalars:
// dates, enums, cursors), as the generated code would.
func (r *run) marshal(m graphql.Marshaler) { m.MarshalGQL(r.buf) }

func (r *run) dateTime(t time.Time) { r.marshal(model.MarshalDateTime(t)) }

func (r *run) localized(l model.Localized) error { return l.MarshalGQLContext(r.ctx, r.buf) }

// writer writes the value of one field of an object of Go type T.
type writer[T any] func(r *run, obj *T) error

// fieldSpec compiles one field of T's GraphQL type as a query selects it:
// its writer, or false when the direct executor cannot answer it.
type fieldSpec[T any] func(c *compiler, f graphql.CollectedField) (writer[T], bool)

// compiler compiles one operation, with its variables.
type compiler struct {
	oc     *graphql.OperationContext
	ctx    context.Context
	res    *Resolver
	schema *ast.Schema
}

// objectType is a GraphQL object type the direct executor answers: its
// name, the interfaces fragments may name, and its fields.
type objectType[T any] struct {
	name       string
	implements []string
	fields     map[string]fieldSpec[T]
}

// compile compiles the selection of an object of type o into one writer
// of the whole JSON object.
func (o *objectType[T]) compile(c *compiler, sel ast.SelectionSet) (writer[T], bool) {
	satisfies := append([]string{o.name}, o.implements...)
	fields := graphql.CollectFields(c.oc, sel, satisfies)
	type part struct {
		key   string
		write writer[T]
	}
	parts := make([]part, 0, len(fields))
	for _, f := range fields {
		if len(f.Deferrables) > 0 || !plainDirectives(f) {
			return nil, false
		}
		var w writer[T]
		if f.Name == "__typename" {
			name := o.name
			w = func(r *run, _ *T) error { r.str(name); return nil }
		} else {
			spec, ok := o.fields[f.Name]
			if !ok {
				return nil, false
			}
			if w, ok = spec(c, f); !ok {
				return nil, false
			}
			if w, ok = withDirectives(f, w); !ok {
				return nil, false
			}
		}
		var key bytes.Buffer
		(&run{buf: &key}).str(f.Alias)
		key.WriteByte(':')
		parts = append(parts, part{key: key.String(), write: w})
	}
	return func(r *run, obj *T) error {
		if err := r.alive(); err != nil {
			return err
		}
		r.buf.WriteByte('{')
		for i, p := range parts {
			if i > 0 {
				r.buf.WriteByte(',')
			}
			r.buf.WriteString(p.key)
			if err := p.write(r, obj); err != nil {
				return err
			}
		}
		r.buf.WriteByte('}')
		return nil
	}, true
}

// plainDirectives reports whether the query puts on f only the directives
// field collection has applied already (@skip, @include).
func plainDirectives(f graphql.CollectedField) bool {
	for _, d := range f.Directives {
		if d.Name != "skip" && d.Name != "include" {
			return false
		}
	}
	return true
}

// withDirectives applies the schema's directives on f's definition:
// @authenticated refuses (through gqlgen, which reports it) a caller
// without a key; any other directive leaves the field to gqlgen.
func withDirectives[T any](f graphql.CollectedField, w writer[T]) (writer[T], bool) {
	if f.Definition == nil {
		return nil, false
	}
	for _, d := range f.Definition.Directives {
		if d.Name != "authenticated" {
			return nil, false
		}
		inner := w
		w = func(r *run, obj *T) error {
			if _, err := authenticated(r.ctx, nil, func(context.Context) (any, error) { return nil, nil }); err != nil {
				return errDirect
			}
			return inner(r, obj)
		}
	}
	return w, true
}

// leaf is a field without arguments or a selection, written by write.
func leaf[T any](write func(r *run, obj *T)) fieldSpec[T] {
	return func(_ *compiler, f graphql.CollectedField) (writer[T], bool) {
		if len(f.Arguments) > 0 || len(f.Selections) > 0 {
			return nil, false
		}
		return func(r *run, obj *T) error { write(r, obj); return nil }, true
	}
}

// localizedField is a bilingual field with its optional locale argument.
func localizedField[T any](get func(obj *T, locale *i18n.Locale) model.Localized) fieldSpec[T] {
	return func(c *compiler, f graphql.CollectedField) (writer[T], bool) {
		args, ok := c.args(f, "locale")
		if !ok {
			return nil, false
		}
		var locale *i18n.Locale
		if v, set := args["locale"]; set && v != nil {
			locale = new(i18n.Locale)
			if err := locale.UnmarshalGQL(v); err != nil {
				return nil, false
			}
		}
		return func(r *run, obj *T) error { return r.localized(get(obj, locale)) }, true
	}
}

// args returns f's arguments with the operation's variables, or false
// when f has an argument not in allowed (or one that is not a constant or
// a variable).
func (c *compiler) args(f graphql.CollectedField, allowed ...string) (map[string]any, bool) {
	for _, a := range f.Arguments {
		ok := false
		for _, name := range allowed {
			ok = ok || a.Name == name
		}
		if !ok {
			return nil, false
		}
	}
	if len(f.Arguments) == 0 {
		return nil, true
	}
	return f.ArgumentMap(c.oc.Variables), true
}

// directPage is a connection field's arguments: its page as the
// resolvers take it, and its other arguments (where, orderBy, filter) as
// the validator left them, decoded on first use (argOf).
type directPage struct {
	first, last   *int
	after, before *string

	ctx     context.Context
	schema  *ast.Schema
	defs    ast.ArgumentDefinitionList
	raw     map[string]any
	decoded map[string]any
}

// arguments keeps f's arguments, all among allowed, for argOf, or
// reports false.
func (c *compiler) arguments(f graphql.CollectedField, allowed ...string) (directPage, map[string]any, bool) {
	args, ok := c.args(f, allowed...)
	if !ok || f.Definition == nil {
		return directPage{}, nil, false
	}
	return directPage{ctx: c.ctx, schema: c.schema, defs: f.Definition.Arguments, raw: args, decoded: map[string]any{}}, args, true
}

// page reads f's page arguments and keeps the others among extra for
// argOf, or reports false for an argument not in either.
func (c *compiler) page(f graphql.CollectedField, extra ...string) (directPage, map[string]any, bool) {
	p, args, ok := c.arguments(f, append([]string{"first", "after", "last", "before"}, extra...)...)
	if !ok {
		return directPage{}, nil, false
	}
	var ef, el, ea, eb error
	p.first, ef = argOf[*int](p, "first")
	p.last, el = argOf[*int](p, "last")
	p.after, ea = argOf[*string](p, "after")
	p.before, eb = argOf[*string](p, "before")
	if errors.Join(ef, el, ea, eb) != nil {
		return directPage{}, nil, false
	}
	if args == nil {
		args = map[string]any{}
	}
	return p, args, true
}

// fieldContext is the context a resolver of f runs in: gqlgen's field
// context (the resolvers read the field's selection from it to leave out
// the columns nobody asked for) over the run's context, made on the
// field's first use and shared by all the parents of its level.
func (c *compiler) fieldContext(object string, f graphql.CollectedField, args map[string]any) *fieldContext {
	return &fieldContext{fc: &graphql.FieldContext{Object: object, Field: f, Args: args, IsMethod: true, IsResolver: true}}
}

type fieldContext struct {
	fc  *graphql.FieldContext
	ctx context.Context
}

func (f *fieldContext) in(r *run) context.Context {
	if f.ctx == nil {
		f.ctx = graphql.WithFieldContext(r.ctx, f.fc)
	}
	return f.ctx
}

// list writes items as a JSON array, each through write.
func list[T any](r *run, items []T, write writer[T]) error {
	r.buf.WriteByte('[')
	for i := range items {
		if i > 0 {
			r.buf.WriteByte(',')
		}
		if err := write(r, &items[i]); err != nil {
			return err
		}
	}
	r.buf.WriteByte(']')
	return nil
}

// connectionType is a Relay connection over edges E leading to nodes N.
type connectionType[E model.EdgeOf[N], N any] struct {
	name string
	edge *objectType[E]
	node *objectType[N]
}

// connection is a field of T answering a connection, loaded by load for
// each parent with the page arguments and those named in extra (read with
// argOf), in ctx (the field's context).
func connection[T any, E model.EdgeOf[N], N any](object string, conn *connectionType[E, N], extra []string,
	load func(ctx context.Context, res *Resolver, obj *T, p directPage) (model.Connection[E, N], error)) fieldSpec[T] {
	return func(c *compiler, f graphql.CollectedField) (writer[T], bool) {
		p, args, ok := c.page(f, extra...)
		if !ok {
			return nil, false
		}
		write, ok := conn.compile(c, f.Selections)
		if !ok {
			return nil, false
		}
		ctx := c.fieldContext(object, f, args)
		return func(r *run, obj *T) error {
			got, err := load(ctx.in(r), c.res, obj, p)
			if err != nil {
				return errDirect
			}
			return write(r, &got)
		}, true
	}
}

// compile compiles a connection's selection: edges, nodes, totalCount,
// pageInfo (aggregate and groupBy are gqlgen's).
func (ct *connectionType[E, N]) compile(c *compiler, sel ast.SelectionSet) (writer[model.Connection[E, N]], bool) {
	t := &objectType[model.Connection[E, N]]{name: ct.name, fields: map[string]fieldSpec[model.Connection[E, N]]{
		"edges": func(c *compiler, f graphql.CollectedField) (writer[model.Connection[E, N]], bool) {
			edge, ok := ct.edge.compile(c, f.Selections)
			if !ok || len(f.Arguments) > 0 {
				return nil, false
			}
			return func(r *run, conn *model.Connection[E, N]) error { return list(r, conn.Edges, edge) }, true
		},
		"nodes": func(c *compiler, f graphql.CollectedField) (writer[model.Connection[E, N]], bool) {
			node, ok := ct.node.compile(c, f.Selections)
			if !ok || len(f.Arguments) > 0 {
				return nil, false
			}
			return func(r *run, conn *model.Connection[E, N]) error {
				return list(r, conn.Nodes(), func(r *run, n **N) error { return node(r, *n) })
			}, true
		},
		"totalCount": func(c *compiler, f graphql.CollectedField) (writer[model.Connection[E, N]], bool) {
			if len(f.Arguments) > 0 {
				return nil, false
			}
			return func(r *run, conn *model.Connection[E, N]) error {
				n, err := conn.TotalCount(r.ctx)
				if err != nil {
					return errDirect
				}
				r.int(n)
				return nil
			}, true
		},
		"pageInfo": func(c *compiler, f graphql.CollectedField) (writer[model.Connection[E, N]], bool) {
			info, ok := pageInfoType.compile(c, f.Selections)
			if !ok || len(f.Arguments) > 0 {
				return nil, false
			}
			return func(r *run, conn *model.Connection[E, N]) error { return info(r, &conn.PageInfo) }, true
		},
	}}
	return t.compile(c, sel)
}

// edgeNode is an edge's node field.
func edgeNode[E any, N any](node *objectType[N], get func(e *E) *N) fieldSpec[E] {
	return func(c *compiler, f graphql.CollectedField) (writer[E], bool) {
		write, ok := node.compile(c, f.Selections)
		if !ok || len(f.Arguments) > 0 {
			return nil, false
		}
		return func(r *run, e *E) error { return write(r, get(e)) }, true
	}
}

// cursor writes a cursor, or null.
func (r *run) cursor(c *model.Cursor) {
	if c == nil {
		r.null()
		return
	}
	r.marshal(*c)
}

var pageInfoType = &objectType[model.PageInfo]{name: "PageInfo", fields: map[string]fieldSpec[model.PageInfo]{
	"hasNextPage":     leaf(func(r *run, p *model.PageInfo) { r.bool(p.HasNextPage) }),
	"hasPreviousPage": leaf(func(r *run, p *model.PageInfo) { r.bool(p.HasPreviousPage) }),
	"startCursor":     leaf(func(r *run, p *model.PageInfo) { r.cursor(p.StartCursor) }),
	"endCursor":       leaf(func(r *run, p *model.PageInfo) { r.cursor(p.EndCursor) }),
}}

func (r *run) optDateTime(t *time.Time) {
	if t == nil {
		r.null()
		return
	}
	r.dateTime(*t)
}

func (r *run) optDate(d *model.Date) {
	if d == nil {
		r.null()
		return
	}
	d.MarshalGQL(r.buf)
}

// object is a nullable object field of T: resolve finds it (nil: null) for
// each parent, with the field's arguments; its selection is compiled
// against typ.
func object[T, O any](object string, typ *objectType[O], allowed []string,
	resolve func(ctx context.Context, res *Resolver, obj *T, args map[string]any) (*O, error)) fieldSpec[T] {
	return func(c *compiler, f graphql.CollectedField) (writer[T], bool) {
		args, ok := c.args(f, allowed...)
		if !ok || len(args) != len(allowed) || f.Definition == nil {
			return nil, false
		}
		write, ok := typ.compile(c, f.Selections)
		if !ok {
			return nil, false
		}
		ctx := c.fieldContext(object, f, args)
		return func(r *run, obj *T) error {
			got, err := resolve(ctx.in(r), c.res, obj, args)
			if err != nil {
				return errDirect
			}
			if got == nil {
				if f.Definition.Type.NonNull {
					return errDirect // gqlgen reports the null
				}
				r.null()
				return nil
			}
			return write(r, got)
		}, true
	}
}

// stringArg reads a String argument as gqlgen reads it.
func stringArg(args map[string]any, name string) (string, error) {
	return model.UnmarshalString(args[name])
}
