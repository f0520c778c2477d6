package graph

import (
	"context"
	"errors"
	"maps"

	"github.com/99designs/gqlgen/graphql"

	"startupgraph/graph/generated"
	"startupgraph/internal/globalid"
	"startupgraph/internal/i18n"
	"startupgraph/internal/model"
)

// The direct executor's tables (direct.go): the types and fields it
// answers. A field missing here is answered by gqlgen, with the rest of
// its query; TestDirectMatchesGqlgen compares every field here with what
// gqlgen answers.

var (
	queryType      = &objectType[rootQuery]{name: "Query"}
	universityType = &objectType[model.University]{name: "University", implements: []string{"Node"}}
	startupType    = &objectType[model.Startup]{name: "Startup", implements: []string{"Node"}}
	mentorType     = &objectType[model.Mentor]{name: "Mentor", implements: []string{"Node"}}
	sectorType     = &objectType[model.Sector]{name: "Sector", implements: []string{"Node"}}
	facilityType   = &objectType[model.Facility]{name: "Facility", implements: []string{"Node"}}
	fundType       = &objectType[model.Fund]{name: "Fund", implements: []string{"Node"}}
	investmentType = &objectType[model.Investment]{name: "Investment", implements: []string{"Node"}}

	startupsConn = &connectionType[model.StartupEdge, model.Startup]{name: "StartupConnection",
		edge: &objectType[model.StartupEdge]{name: "StartupEdge"}, node: startupType}
	mentorsConn = &connectionType[model.MentorEdge, model.Mentor]{name: "MentorConnection",
		edge: &objectType[model.MentorEdge]{name: "MentorEdge"}, node: mentorType}
	sectorsConn = &connectionType[model.SectorEdge, model.Sector]{name: "SectorConnection",
		edge: &objectType[model.SectorEdge]{name: "SectorEdge"}, node: sectorType}
	assignedConn = &connectionType[model.AssignedStartupEdge, model.Startup]{name: "AssignedStartupConnection",
		edge: &objectType[model.AssignedStartupEdge]{name: "AssignedStartupEdge"}, node: startupType}
	mentorshipsConn = &connectionType[model.MentorshipEdge, model.Mentor]{name: "MentorshipConnection",
		edge: &objectType[model.MentorshipEdge]{name: "MentorshipEdge"}, node: mentorType}
	menteesConn = &connectionType[model.MenteeEdge, model.Startup]{name: "MenteeConnection",
		edge: &objectType[model.MenteeEdge]{name: "MenteeEdge"}, node: startupType}
	investmentsConn = &connectionType[model.InvestmentEdge, model.Investment]{name: "InvestmentConnection",
		edge: &objectType[model.InvestmentEdge]{name: "InvestmentEdge"}, node: investmentType}
	startupUniversitiesConn = &connectionType[model.UniversityAssignmentEdge, model.University]{name: "UniversityAssignmentConnection",
		edge: &objectType[model.UniversityAssignmentEdge]{name: "UniversityAssignmentEdge"}, node: universityType}
)

// The arguments besides the page's a directly answered connection reads:
// a relationship's where and orderBy, a top-level list's filter too.
var (
	edgeArgs     = []string{"where", "orderBy"}
	listArgNames = []string{"filter", "orderBy", "where"}
)

// whereOrder reads a connection's where and orderBy arguments.
func whereOrder[W, O any](p directPage) (W, O, error) {
	w, werr := argOf[W](p, "where")
	o, oerr := argOf[O](p, "orderBy")
	return w, o, errors.Join(werr, oerr)
}

func init() {
	queryType.fields = map[string]fieldSpec[rootQuery]{
		"universities": func(c *compiler, f graphql.CollectedField) (writer[rootQuery], bool) {
			p, args, ok := c.arguments(f, "where")
			if !ok {
				return nil, false
			}
			item, ok := universityType.compile(c, f.Selections)
			if !ok {
				return nil, false
			}
			ctx := c.fieldContext("Query", f, args)
			return func(r *run, _ *rootQuery) error {
				where, err := argOf[*generated.UniversityWhere](p, "where")
				if err != nil {
					return errDirect
				}
				universities, err := c.res.Query().Universities(ctx.in(r), where)
				if err != nil {
					return errDirect
				}
				return list(r, universities, item)
			}, true
		},
		"investments": connection("Query", investmentsConn, listArgNames, func(ctx context.Context, res *Resolver, _ *rootQuery, p directPage) (page model.Connection[model.InvestmentEdge, model.Investment], err error) {
			where, order, err := whereOrder[*generated.InvestmentWhere, *generated.InvestmentOrder](p)
			filter, ferr := argOf[*generated.InvestmentFilter](p, "filter")
			if err = errors.Join(err, ferr); err != nil {
				return page, err
			}
			c, err := res.Query().Investments(ctx, p.first, p.after, p.last, p.before, filter, order, where)
			if err == nil {
				page = c.Connection
			}
			return
		}),
		"node": nodeField,
		"startup": object("Query", startupType, []string{"key"}, func(ctx context.Context, res *Resolver, _ *rootQuery, args map[string]any) (*model.Startup, error) {
			key, err := stringArg(args, "key")
			if err != nil {
				return nil, err
			}
			return res.Query().Startup(ctx, key)
		}),
		"mentor": object("Query", mentorType, []string{"key"}, func(ctx context.Context, res *Resolver, _ *rootQuery, args map[string]any) (*model.Mentor, error) {
			key, err := stringArg(args, "key")
			if err != nil {
				return nil, err
			}
			return res.Query().Mentor(ctx, key)
		}),
		"university": object("Query", universityType, []string{"key"}, func(ctx context.Context, res *Resolver, _ *rootQuery, args map[string]any) (*model.University, error) {
			key, err := stringArg(args, "key")
			if err != nil {
				return nil, err
			}
			return res.Query().University(ctx, key)
		}),
		"startups": connection("Query", startupsConn, listArgNames, func(ctx context.Context, res *Resolver, _ *rootQuery, p directPage) (page model.Connection[model.StartupEdge, model.Startup], err error) {
			where, order, err := whereOrder[*generated.StartupWhere, []generated.StartupOrder](p)
			filter, ferr := argOf[*generated.StartupFilter](p, "filter")
			if err = errors.Join(err, ferr); err != nil {
				return page, err
			}
			c, err := res.Query().Startups(ctx, p.first, p.after, p.last, p.before, filter, order, where)
			if err == nil {
				page = c.Connection
			}
			return
		}),
		"mentors": connection("Query", mentorsConn, listArgNames, func(ctx context.Context, res *Resolver, _ *rootQuery, p directPage) (page model.Connection[model.MentorEdge, model.Mentor], err error) {
			where, order, err := whereOrder[*generated.MentorWhere, []generated.MentorOrder](p)
			filter, ferr := argOf[*generated.MentorFilter](p, "filter")
			if err = errors.Join(err, ferr); err != nil {
				return page, err
			}
			c, err := res.Query().Mentors(ctx, p.first, p.after, p.last, p.before, filter, order, where)
			if err == nil {
				page = c.Connection
			}
			return
		}),
	}

	universityType.fields = namedNode(globalid.University, func(o *model.University) named { return named{o.RowID, o.Key, &o.Names, &o.Stamps} }, map[string]fieldSpec[model.University]{
		"shortName":   leaf(func(r *run, u *model.University) { r.str(u.ShortName) }),
		"homeCountry": leaf(func(r *run, u *model.University) { r.str(u.HomeCountry) }),
		"mouPartner":  leaf(func(r *run, u *model.University) { r.bool(u.MouPartner) }),
		"description": localizedField(func(u *model.University, l *i18n.Locale) model.Localized { return u.Description(l) }),
		"startups": connection("University", assignedConn, edgeArgs, func(ctx context.Context, res *Resolver, u *model.University, p directPage) (page model.Connection[model.AssignedStartupEdge, model.Startup], err error) {
			where, order, err := whereOrder[*generated.AssignedStartupEdgeWhere, []generated.StartupOrder](p)
			if err != nil {
				return page, err
			}
			c, err := res.University().Startups(ctx, u, p.first, p.after, p.last, p.before, where, order)
			if err == nil {
				page = c.Connection
			}
			return
		}),
		"mentors": connection("University", mentorsConn, edgeArgs, func(ctx context.Context, res *Resolver, u *model.University, p directPage) (page model.Connection[model.MentorEdge, model.Mentor], err error) {
			where, order, err := whereOrder[*generated.MentorEdgeWhere, []generated.MentorOrder](p)
			if err != nil {
				return page, err
			}
			c, err := res.University().Mentors(ctx, u, p.first, p.after, p.last, p.before, where, order)
			if err == nil {
				page = c.Connection
			}
			return
		}),
	})

	startupType.fields = namedNode(globalid.Startup, func(o *model.Startup) named { return named{o.RowID, o.Key, &o.Names, &o.Stamps} }, map[string]fieldSpec[model.Startup]{
		"description": localizedField(func(s *model.Startup, l *i18n.Locale) model.Localized { return s.Description(l) }),
		"stage":       leaf(func(r *run, s *model.Startup) { s.Stage.MarshalGQL(r.buf) }),
		"foundedOn": leaf(func(r *run, s *model.Startup) {
			if s.FoundedOn == nil {
				r.null()
				return
			}
			s.FoundedOn.MarshalGQL(r.buf)
		}),
		"facility": object("Startup", facilityType, nil, func(ctx context.Context, res *Resolver, s *model.Startup, _ map[string]any) (*model.Facility, error) {
			return res.Startup().Facility(ctx, s)
		}),
		"version":    leaf(func(r *run, s *model.Startup) { r.int(s.Version) }),
		"archivedAt": leaf(func(r *run, s *model.Startup) { r.optDateTime(s.ArchivedAt) }),
		"mentors": connection("Startup", mentorshipsConn, edgeArgs, func(ctx context.Context, res *Resolver, s *model.Startup, p directPage) (page model.Connection[model.MentorshipEdge, model.Mentor], err error) {
			where, order, err := whereOrder[*generated.MentorshipEdgeWhere, []generated.MentorOrder](p)
			if err != nil {
				return page, err
			}
			c, err := res.Startup().Mentors(ctx, s, p.first, p.after, p.last, p.before, where, order)
			if err == nil {
				page = c.Connection
			}
			return
		}),
		"universities": connection("Startup", startupUniversitiesConn, []string{"where"}, func(ctx context.Context, res *Resolver, s *model.Startup, p directPage) (page model.Connection[model.UniversityAssignmentEdge, model.University], err error) {
			where, err := argOf[*generated.UniversityAssignmentEdgeWhere](p, "where")
			if err != nil {
				return page, err
			}
			c, err := res.Startup().Universities(ctx, s, p.first, p.after, p.last, p.before, where)
			if err == nil {
				page = c.Connection
			}
			return
		}),
		"sectors": connection("Startup", sectorsConn, edgeArgs, func(ctx context.Context, res *Resolver, s *model.Startup, p directPage) (page model.Connection[model.SectorEdge, model.Sector], err error) {
			where, order, err := whereOrder[*generated.SectorEdgeWhere, []generated.SectorOrder](p)
			if err != nil {
				return page, err
			}
			c, err := res.Startup().Sectors(ctx, s, p.first, p.after, p.last, p.before, where, order)
			if err == nil {
				page = c.Connection
			}
			return
		}),
	})

	mentorType.fields = namedNode(globalid.Mentor, func(o *model.Mentor) named { return named{o.RowID, o.Key, &o.Names, &o.Stamps} }, map[string]fieldSpec[model.Mentor]{
		"title":           localizedField(func(m *model.Mentor, l *i18n.Locale) model.Localized { return m.Title(l) }),
		"taskForceMember": leaf(func(r *run, m *model.Mentor) { r.bool(m.TaskForceMember) }),
		"languages": leaf(func(r *run, m *model.Mentor) {
			r.buf.WriteByte('[')
			for i, l := range m.Languages {
				if i > 0 {
					r.buf.WriteByte(',')
				}
				r.str(l)
			}
			r.buf.WriteByte(']')
		}),
		"version":    leaf(func(r *run, m *model.Mentor) { r.int(m.Version) }),
		"archivedAt": leaf(func(r *run, m *model.Mentor) { r.optDateTime(m.ArchivedAt) }),
		"startups": connection("Mentor", menteesConn, edgeArgs, func(ctx context.Context, res *Resolver, m *model.Mentor, p directPage) (page model.Connection[model.MenteeEdge, model.Startup], err error) {
			where, order, err := whereOrder[*generated.MenteeEdgeWhere, []generated.StartupOrder](p)
			if err != nil {
				return page, err
			}
			c, err := res.Mentor().Startups(ctx, m, p.first, p.after, p.last, p.before, where, order)
			if err == nil {
				page = c.Connection
			}
			return
		}),
		"sectors": connection("Mentor", sectorsConn, edgeArgs, func(ctx context.Context, res *Resolver, m *model.Mentor, p directPage) (page model.Connection[model.SectorEdge, model.Sector], err error) {
			where, order, err := whereOrder[*generated.SectorEdgeWhere, []generated.SectorOrder](p)
			if err != nil {
				return page, err
			}
			c, err := res.Mentor().Sectors(ctx, m, p.first, p.after, p.last, p.before, where, order)
			if err == nil {
				page = c.Connection
			}
			return
		}),
	})

	sectorType.fields = namedNode(globalid.Sector, func(o *model.Sector) named { return named{o.RowID, o.Key, &o.Names, &o.Stamps} }, map[string]fieldSpec[model.Sector]{
		"taskForceField": leaf(func(r *run, s *model.Sector) { r.bool(s.TaskForceField) }),
		"description":    localizedField(func(s *model.Sector, l *i18n.Locale) model.Localized { return s.Description(l) }),
	})

	facilityType.fields = namedNode(globalid.Facility, func(o *model.Facility) named { return named{o.RowID, o.Key, &o.Names, &o.Stamps} }, map[string]fieldSpec[model.Facility]{
		"kind":     leaf(func(r *run, f *model.Facility) { f.Kind.MarshalGQL(r.buf) }),
		"location": localizedField(func(f *model.Facility, l *i18n.Locale) model.Localized { return f.Location(l) }),
	})

	fundType.fields = namedNode(globalid.Fund, func(o *model.Fund) named { return named{o.RowID, o.Key, &o.Names, &o.Stamps} }, map[string]fieldSpec[model.Fund]{
		"kind":        leaf(func(r *run, f *model.Fund) { f.Kind.MarshalGQL(r.buf) }),
		"size":        leaf(func(r *run, f *model.Fund) { f.Size.MarshalGQL(r.buf) }),
		"description": localizedField(func(f *model.Fund, l *i18n.Locale) model.Localized { return f.Description(l) }),
		"version":     leaf(func(r *run, f *model.Fund) { r.int(f.Version) }),
		"archivedAt":  leaf(func(r *run, f *model.Fund) { r.optDateTime(f.ArchivedAt) }),
		"vintageYear": leaf(func(r *run, f *model.Fund) {
			if f.VintageYear == nil {
				r.null()
				return
			}
			r.int(*f.VintageYear)
		}),
	})
	investmentType.fields = map[string]fieldSpec[model.Investment]{
		"id":          leaf(func(r *run, i *model.Investment) { r.id(globalid.Investment, i.RowID) }),
		"amount":      leaf(func(r *run, i *model.Investment) { i.Amount.MarshalGQL(r.buf) }),
		"investedOn":  leaf(func(r *run, i *model.Investment) { i.InvestedOn.MarshalGQL(r.buf) }),
		"round":       leaf(func(r *run, i *model.Investment) { i.Round.MarshalGQL(r.buf) }),
		"version":     leaf(func(r *run, i *model.Investment) { r.int(i.Version) }),
		"preFounding": leaf(func(r *run, i *model.Investment) { r.bool(i.PreFounding) }),
		"createdAt":   leaf(func(r *run, i *model.Investment) { r.dateTime(i.CreatedAt) }),
		"updatedAt":   leaf(func(r *run, i *model.Investment) { r.dateTime(i.UpdatedAt) }),
		"fund": object("Investment", fundType, nil, func(ctx context.Context, res *Resolver, i *model.Investment, _ map[string]any) (*model.Fund, error) {
			return res.Investment().Fund(ctx, i)
		}),
		"startup": object("Investment", startupType, nil, func(ctx context.Context, res *Resolver, i *model.Investment, _ map[string]any) (*model.Startup, error) {
			return res.Investment().Startup(ctx, i)
		}),
	}

	plainEdge(investmentsConn, func(e *model.InvestmentEdge) (*model.Cursor, *model.Investment) { return &e.Cursor, e.Node })
	plainEdge(startupUniversitiesConn, func(e *model.UniversityAssignmentEdge) (*model.Cursor, *model.University) { return &e.Cursor, e.Node })
	assignmentFacts(startupUniversitiesConn.edge.fields, func(e *model.UniversityAssignmentEdge) *model.Assignment { return &e.Assignment })

	plainEdge(startupsConn, func(e *model.StartupEdge) (*model.Cursor, *model.Startup) { return &e.Cursor, e.Node })
	plainEdge(mentorsConn, func(e *model.MentorEdge) (*model.Cursor, *model.Mentor) { return &e.Cursor, e.Node })
	plainEdge(sectorsConn, func(e *model.SectorEdge) (*model.Cursor, *model.Sector) { return &e.Cursor, e.Node })

	plainEdge(assignedConn, func(e *model.AssignedStartupEdge) (*model.Cursor, *model.Startup) { return &e.Cursor, e.Node })
	assignmentFacts(assignedConn.edge.fields, func(e *model.AssignedStartupEdge) *model.Assignment { return &e.Assignment })

	plainEdge(mentorshipsConn, func(e *model.MentorshipEdge) (*model.Cursor, *model.Mentor) { return &e.Cursor, e.Node })
	mentorshipFacts(mentorshipsConn.edge.fields, func(e *model.MentorshipEdge) *model.Mentorship { return &e.Mentorship })
	plainEdge(menteesConn, func(e *model.MenteeEdge) (*model.Cursor, *model.Startup) { return &e.Cursor, e.Node })
	mentorshipFacts(menteesConn.edge.fields, func(e *model.MenteeEdge) *model.Mentorship { return &e.Mentorship })
}

// plainEdge gives a connection's edge type its cursor and node fields.
func plainEdge[E model.EdgeOf[N], N any](conn *connectionType[E, N], get func(e *E) (*model.Cursor, *N)) {
	conn.edge.fields = map[string]fieldSpec[E]{
		"cursor": leaf(func(r *run, e *E) { c, _ := get(e); c.MarshalGQL(r.buf) }),
		"node":   edgeNode(conn.node, func(e *E) *N { _, n := get(e); return n }),
	}
}

// mentorshipFacts adds a mentorship's facts to an edge type's fields.
func mentorshipFacts[E any](fields map[string]fieldSpec[E], get func(e *E) *model.Mentorship) {
	fields["focus"] = leaf(func(r *run, e *E) { r.str(get(e).Focus) })
	fields["since"] = leaf(func(r *run, e *E) { get(e).Since.MarshalGQL(r.buf) })
	fields["until"] = leaf(func(r *run, e *E) { r.optDate(get(e).Until) })
	fields["createdAt"] = leaf(func(r *run, e *E) { r.dateTime(get(e).CreatedAt) })
	fields["updatedAt"] = leaf(func(r *run, e *E) { r.dateTime(get(e).UpdatedAt) })
}

// assignmentFacts adds an assignment's facts to an edge type's fields.
func assignmentFacts[E any](fields map[string]fieldSpec[E], get func(e *E) *model.Assignment) {
	fields["purpose"] = leaf(func(r *run, e *E) { get(e).Purpose.MarshalGQL(r.buf) })
	fields["status"] = leaf(func(r *run, e *E) { get(e).Status.MarshalGQL(r.buf) })
	fields["since"] = leaf(func(r *run, e *E) { get(e).Since.MarshalGQL(r.buf) })
	fields["until"] = leaf(func(r *run, e *E) { r.optDate(get(e).Until) })
	fields["createdAt"] = leaf(func(r *run, e *E) { r.dateTime(get(e).CreatedAt) })
	fields["updatedAt"] = leaf(func(r *run, e *E) { r.dateTime(get(e).UpdatedAt) })
}

// nodeField is Query.node: the node is one of the types above (its
// selection compiled for each), or gqlgen answers.
func nodeField(c *compiler, f graphql.CollectedField) (writer[rootQuery], bool) {
	args, ok := c.args(f, "id")
	if !ok || len(args) != 1 {
		return nil, false
	}
	id, err := graphql.UnmarshalID(args["id"])
	if err != nil {
		return nil, false
	}
	startup, ok1 := startupType.compile(c, f.Selections)
	mentor, ok2 := mentorType.compile(c, f.Selections)
	university, ok3 := universityType.compile(c, f.Selections)
	sector, ok4 := sectorType.compile(c, f.Selections)
	if !ok1 || !ok2 || !ok3 || !ok4 {
		return nil, false
	}
	ctx := c.fieldContext("Query", f, args)
	return func(r *run, _ *rootQuery) error {
		n, err := c.res.Query().Node(ctx.in(r), id)
		if err != nil {
			return errDirect
		}
		switch n := n.(type) {
		case nil:
			r.null()
			return nil
		case model.Startup:
			return startup(r, &n)
		case *model.Startup:
			return startup(r, n)
		case model.Mentor:
			return mentor(r, &n)
		case *model.Mentor:
			return mentor(r, n)
		case model.University:
			return university(r, &n)
		case *model.University:
			return university(r, n)
		case model.Sector:
			return sector(r, &n)
		case *model.Sector:
			return sector(r, n)
		}
		return errDirect
	}, true
}

// named is what every named node type has: its row id, key, bilingual
// name and stamps.
type named struct {
	rowID  int64
	key    string
	names  *model.Names
	stamps *model.Stamps
}

// namedNode is a named node type's fields: its id, key, names and stamps
// read through get, and its own fields, more.
func namedNode[T any](typ globalid.Type, get func(*T) named, more map[string]fieldSpec[T]) map[string]fieldSpec[T] {
	fields := map[string]fieldSpec[T]{
		"id":        leaf(func(r *run, o *T) { r.id(typ, get(o).rowID) }),
		"key":       leaf(func(r *run, o *T) { r.str(get(o).key) }),
		"name":      localizedField(func(o *T, l *i18n.Locale) model.Localized { return get(o).names.Name(l) }),
		"nameKo":    leaf(func(r *run, o *T) { r.str(get(o).names.NameKo) }),
		"nameEn":    leaf(func(r *run, o *T) { r.str(get(o).names.NameEn) }),
		"createdAt": leaf(func(r *run, o *T) { r.dateTime(get(o).stamps.CreatedAt) }),
		"updatedAt": leaf(func(r *run, o *T) { r.dateTime(get(o).stamps.UpdatedAt) }),
	}
	maps.Copy(fields, more)
	return fields
}
