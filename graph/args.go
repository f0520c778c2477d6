package graph

import (
	"context"
	"fmt"
	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
	"reflect"
	"time"
	"unicode/utf8"

	"startupgraph/graph/generated"
	"startupgraph/internal/apperr"
	"startupgraph/internal/globalid"
	"startupgraph/internal/loader"
	"startupgraph/internal/model"
	"startupgraph/internal/store"
	"startupgraph/internal/viewer"
)

// maxFilterValues bounds every list inside a filter.
const maxFilterValues = 100

// args turns GraphQL arguments into store values, collecting every problem
// with the path of the argument it belongs to.
type args struct {
	problems apperr.InputError
	// ctx and byKey, when set (mutationResolver.args), let a mutation's
	// input name a node by its key (node, optNode); fault is a failure
	// of such a lookup, reported before the input's problems.
	ctx   context.Context
	byKey func(context.Context, globalid.Type, string) (int64, error)
	fault error
}

func (a *args) err() error {
	if a.fault != nil {
		return a.fault
	}
	return a.problems.Err()
}

func (a *args) ids(field string, typ globalid.Type, gids []string) []int64 {
	if len(gids) > maxFilterValues {
		a.problems.Add(field, "takes at most %d values", maxFilterValues)
		return nil
	}
	out := make([]int64, 0, len(gids))
	for i, gid := range gids {
		id, err := globalid.DecodeAs(fmt.Sprintf("%s[%d]", field, i), typ, gid)
		if err != nil {
			a.include(err)
			continue
		}
		out = append(out, id)
	}
	return out
}

func strs[T ~string](a *args, field string, vals []T) []string {
	if len(vals) > maxFilterValues {
		a.problems.Add(field, "takes at most %d values", maxFilterValues)
		return nil
	}
	out := make([]string, len(vals))
	for i, v := range vals {
		out[i] = string(v)
	}
	return out
}

func (a *args) search(field string, s *string) string {
	if s == nil {
		return ""
	}
	if n := utf8.RuneCountInString(*s); n < 2 || n > 100 {
		a.problems.Add(field, "must be 2 to 100 characters")
		return ""
	}
	return *s
}

func (a *args) dateRange(fromField string, from *model.Date, toField string, to *model.Date) (*time.Time, *time.Time) {
	var f, t *time.Time
	if from != nil {
		f = &from.Time
	}
	if to != nil {
		t = &to.Time
	}
	if f != nil && t != nil && f.After(*t) {
		a.problems.Add(toField, "must not be before %s", fromField)
	}
	return f, t
}

// withArchived reads a list filter's includeArchived: the context of the
// store call that includes archived rows (store.WithArchived) when it is
// true and the viewer reads everything (ADMIN, ANALYST); FORBIDDEN naming
// filter.includeArchived for any other viewer, as the archive is staff's
// to see.
func withArchived(ctx context.Context, include *bool) (context.Context, error) {
	if include == nil || !*include {
		return ctx, nil
	}
	if !viewer.From(ctx).ReadsEverything() {
		return ctx, apperr.ForbiddenField("filter.includeArchived", "only ADMIN and ANALYST keys may include archived records")
	}
	return store.WithArchived(ctx), nil
}

// includeArchived is a filter's includeArchived, nil without a filter.
func includeArchived[F interface {
	*generated.StartupFilter | *generated.MentorFilter | *generated.MarketFilter | *generated.InvestmentFilter
}](f F) *bool {
	switch f := any(f).(type) {
	case *generated.StartupFilter:
		if f != nil {
			return f.IncludeArchived
		}
	case *generated.MentorFilter:
		if f != nil {
			return f.IncludeArchived
		}
	case *generated.MarketFilter:
		if f != nil {
			return f.IncludeArchived
		}
	case *generated.InvestmentFilter:
		if f != nil {
			return f.IncludeArchived
		}
	}
	return nil
}

func startupFilter(f *generated.StartupFilter) (store.StartupFilter, error) {
	var out store.StartupFilter
	if f == nil {
		return out, nil
	}
	var a args
	out.SectorIDs = a.ids("filter.sectorIds", globalid.Sector, f.SectorIds)
	out.ProgramIDs = a.ids("filter.programIds", globalid.Program, f.ProgramIds)
	out.CohortIDs = a.ids("filter.cohortIds", globalid.Cohort, f.CohortIds)
	out.UniversityIDs = a.ids("filter.universityIds", globalid.University, f.UniversityIds)
	out.MentorIDs = a.ids("filter.mentorIds", globalid.Mentor, f.MentorIds)
	out.FundIDs = a.ids("filter.fundIds", globalid.Fund, f.FundIds)
	out.MarketIDs = a.ids("filter.marketIds", globalid.Market, f.MarketIds)
	out.Stages = strs(&a, "filter.stages", f.Stages)
	out.TargetStatuses = strs(&a, "filter.targetStatuses", f.TargetStatuses)
	out.FoundedFrom, out.FoundedTo = a.dateRange("filter.foundedFrom", f.FoundedFrom, "filter.foundedTo", f.FoundedTo)
	out.Search = a.search("filter.search", f.Search)
	return out, a.err()
}

func mentorFilter(f *generated.MentorFilter) (store.MentorFilter, error) {
	var out store.MentorFilter
	if f == nil {
		return out, nil
	}
	var a args
	out.SectorIDs = a.ids("filter.sectorIds", globalid.Sector, f.SectorIds)
	out.UniversityIDs = a.ids("filter.universityIds", globalid.University, f.UniversityIds)
	out.OrganizationIDs = a.ids("filter.organizationIds", globalid.Organization, f.OrganizationIds)
	out.TaskForceMember = f.TaskForceMember
	out.StartupIDs = a.ids("filter.startupIds", globalid.Startup, f.StartupIds)
	out.SharedByStartupIDs = a.ids("filter.sharedByStartupIds", globalid.Startup, f.SharedByStartupIds)
	out.MarketIDs = a.ids("filter.marketIds", globalid.Market, f.MarketIds)
	out.Search = a.search("filter.search", f.Search)
	return out, a.err()
}

func investmentFilter(f *generated.InvestmentFilter) (store.InvestmentFilter, error) {
	var out store.InvestmentFilter
	if f == nil {
		return out, nil
	}
	var a args
	out.FundIDs = a.ids("filter.fundIds", globalid.Fund, f.FundIds)
	out.StartupIDs = a.ids("filter.startupIds", globalid.Startup, f.StartupIds)
	out.Rounds = strs(&a, "filter.rounds", f.Rounds)
	out.From, out.To = a.dateRange("filter.investedFrom", f.InvestedFrom, "filter.investedTo", f.InvestedTo)
	if f.MinAmount != nil {
		if *f.MinAmount < 0 {
			a.problems.Add("filter.minAmount", "must not be negative")
		}
		v := int64(*f.MinAmount)
		out.MinAmount = &v
	}
	return out, a.err()
}

func marketFilter(f *generated.MarketFilter) (store.MarketFilter, error) {
	var out store.MarketFilter
	if f == nil {
		return out, nil
	}
	var a args
	if f.Kind != nil {
		k := string(*f.Kind)
		out.Kind = &k
	}
	out.Codes = strs(&a, "filter.codes", f.Codes)
	return out, a.err()
}

func organizationFilter(f *generated.OrganizationFilter) (store.OrganizationFilter, error) {
	var out store.OrganizationFilter
	if f == nil {
		return out, nil
	}
	var a args
	out.Kinds = strs(&a, "filter.kinds", f.Kinds)
	out.MouPartner = f.MouPartner
	return out, a.err()
}

// listArgs reads the arguments every root list of node takes: the page,
// where and orderBy, every problem at once.
func listArgs(ctx context.Context, node string, first *int, after *string, last *int, before *string, where, orderBy any) (store.PageArgs, *store.Where, store.Order, error) {
	page, err := pageArgs(ctx, first, last, after, before)
	w, werr := readWhere(node, where)
	order, oerr := readOrder(orderBy)
	return page, w, order, apperr.Merge(err, werr, oerr)
}

// maxOrderKeys bounds a list's sort keys.
const maxOrderKeys = 5

// readOrder reads an orderBy argument, a list of gqlgen's <Node>Order
// inputs (a field and a direction each): keys in turn, each field at
// most once.
func readOrder(orderBy any) (store.Order, error) {
	v := reflect.ValueOf(orderBy)
	if !v.IsValid() || v.Len() == 0 {
		return nil, nil
	}
	var a args
	if v.Len() > maxOrderKeys {
		a.problems.Add("orderBy", "takes at most %d keys", maxOrderKeys)
	}
	seen := map[string]bool{}
	out := make(store.Order, 0, v.Len())
	for i := range v.Len() {
		k := reflect.Indirect(v.Index(i))
		field := k.FieldByName("Field").String()
		if seen[field] {
			a.problems.Add(fmt.Sprintf("orderBy[%d].field", i), "%s is already a key", field)
		}
		seen[field] = true
		dir, _ := k.FieldByName("Direction").Interface().(*generated.OrderDirection)
		out = append(out, store.OrderKey{Field: field, Desc: isDesc(dir, false)})
	}
	return out, a.err()
}

func investmentOrder(o *generated.InvestmentOrder) store.InvestmentOrder {
	if o == nil {
		return store.InvestmentOrder{}
	}
	return store.InvestmentOrder{ByAmount: o.Field == generated.InvestmentOrderFieldAmount, Asc: !isDesc(o.Direction, true)}
}

func isDesc(d *generated.OrderDirection, def bool) bool {
	if d == nil {
		return def
	}
	return *d == generated.OrderDirectionDesc
}

// child loads one page of parent's relationship through its dataloader.
func child[E model.EdgeOf[N], N any](ctx context.Context, c *loader.Children[E, N], parent int64, relationship string, where any,
	first *int, after *string, last *int, before *string) (model.Connection[E, N], error) {
	return orderedChild(ctx, c, parent, relationship, where, "", nil, first, after, last, before)
}

// orderedChild loads one page of parent's relationship to nodes of type
// node, sorted by orderBy (the order the edges were recorded in when
// empty).
func orderedChild[E model.EdgeOf[N], N any](ctx context.Context, c *loader.Children[E, N], parent int64, relationship string, where any,
	node string, orderBy any, first *int, after *string, last *int, before *string) (model.Connection[E, N], error) {
	page, err := pageArgs(ctx, first, last, after, before)
	w, werr := readEdgeWhere(relationship, where)
	order, oerr := readOrder(orderBy)
	if err = apperr.Merge(err, werr, oerr); err != nil {
		return model.Connection[E, N]{}, err
	}
	if page.Rowless() {
		return c.Totals(parent, w), nil
	}
	return c.Load(ctx, parent, page.WithOrder(node, order), w)
}

// totalsOnly reports whether the connection field being resolved asks
// only for totalCount, aggregate and groupBy, so its page need not be
// read. Like unselected it walks the document without allocating (every
// connection of a level asks); a field under @skip still counts, which
// only reads a page it could have left.
func totalsOnly(ctx context.Context) bool {
	fc := graphql.GetFieldContext(ctx)
	if fc == nil || fc.Field.Field == nil {
		return false
	}
	return eachField(fc.Field.Selections, func(f *ast.Field, _ *store.Omit) bool {
		switch f.Name {
		case "totalCount", "aggregate", "groupBy", "__typename":
			return true
		}
		return false
	}, nil)
}

// selectsTotal reports whether the connection field being resolved asks
// for its totalCount, so that a top-level list may count before it pages
// (store.PageArgs.WithTotal).
func selectsTotal(ctx context.Context) bool {
	fc := graphql.GetFieldContext(ctx)
	if fc == nil || fc.Field.Field == nil {
		return false
	}
	found := false
	eachField(fc.Field.Selections, func(f *ast.Field, _ *store.Omit) bool {
		found = f.Name == "totalCount"
		return !found
	}, nil)
	return found
}

// optional loads the node a nullable reference points to.
func optional[M model.Identified](ctx context.Context, l *loader.ByID[M], id *int64) (*M, error) {
	if id == nil {
		return nil, nil
	}
	m, err := l.Load(ctx, *id)
	if err != nil {
		return nil, err
	}
	return &m, nil
}

// required loads the node a non-null reference points to.
func required[M model.Identified](ctx context.Context, l *loader.ByID[M], id int64) (*M, error) {
	m, err := l.Load(ctx, id)
	if err != nil {
		return nil, err
	}
	return &m, nil
}
