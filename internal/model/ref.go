package model

import "startupgraph/internal/globalid"

// Ref identifies a node by type and row id; a reference (a field that
// points at one node, see Referencing) holds one. The loaders use refs to
// batch a whole level of a query: every node a field returns is
// registered, and the first child load of a level fetches for all
// registered siblings.
//
// Words, one meaning each: a Ref is a node's identity; a reference is a
// many-to-one field that points at a node by id (Startup.facility,
// Investment.fund, an input's universityId); a relationship is declared
// in internal/relation and read as paged connections (a to-one end, such
// as Startup.facility, is a reference); public data is what anonymous
// callers read (the schema calls it public reference data).
type Ref struct {
	Type globalid.Type
	ID   int64
}

// Identified is a node that can name its Ref, its identity.
type Identified interface{ NodeRef() Ref }

// NodeRef returns the node's Ref.
func (u University) NodeRef() Ref { return Ref{Type: globalid.University, ID: u.RowID} }

// NodeRef returns the node's Ref.
func (o Organization) NodeRef() Ref { return Ref{Type: globalid.Organization, ID: o.RowID} }

// NodeRef returns the node's Ref.
func (p Program) NodeRef() Ref { return Ref{Type: globalid.Program, ID: p.RowID} }

// NodeRef returns the node's Ref.
func (s Sector) NodeRef() Ref { return Ref{Type: globalid.Sector, ID: s.RowID} }

// NodeRef returns the node's Ref.
func (f Fund) NodeRef() Ref { return Ref{Type: globalid.Fund, ID: f.RowID} }

// NodeRef returns the node's Ref.
func (f Facility) NodeRef() Ref { return Ref{Type: globalid.Facility, ID: f.RowID} }

// NodeRef returns the node's Ref.
func (s Startup) NodeRef() Ref { return Ref{Type: globalid.Startup, ID: s.RowID} }

// NodeRef returns the node's Ref.
func (m Mentor) NodeRef() Ref { return Ref{Type: globalid.Mentor, ID: m.RowID} }

// NodeRef returns the node's Ref.
func (m Market) NodeRef() Ref { return Ref{Type: globalid.Market, ID: m.RowID} }

// NodeRef returns the node's Ref.
func (c Cohort) NodeRef() Ref { return Ref{Type: globalid.Cohort, ID: c.RowID} }

// NodeRef returns the node's Ref.
func (i Investment) NodeRef() Ref { return Ref{Type: globalid.Investment, ID: i.RowID} }

// NodeRefs returns the refs of the page's nodes (none for edges whose
// items are not nodes, such as stage changes).
func (c Connection[E, N]) NodeRefs() []Ref {
	refs := make([]Ref, 0, len(c.Edges))
	for i := range c.Edges {
		if r, ok := any(c.Edges[i].node()).(Identified); ok {
			refs = append(refs, r.NodeRef())
		}
	}
	return refs
}

// Referencing is anything whose fields point at nodes by id (a startup's
// facility, an investment's fund): the loaders fetch those nodes for a
// whole level at once. AppendReferences appends the refs to out, so a
// page's worth can be gathered into one slice.
type Referencing interface{ AppendReferences(out []Ref) []Ref }

// appendRef appends the ref of a non-null reference.
func appendRef(out []Ref, t globalid.Type, id *int64) []Ref {
	if id == nil {
		return out
	}
	return append(out, Ref{Type: t, ID: *id})
}

// AppendReferences appends the nodes the startup's fields point at.
func (s Startup) AppendReferences(out []Ref) []Ref {
	return appendRef(out, globalid.Facility, s.FacilityID)
}

// AppendReferences appends the nodes the investment's fields point at.
func (i Investment) AppendReferences(out []Ref) []Ref {
	return append(out, Ref{Type: globalid.Fund, ID: i.FundID}, Ref{Type: globalid.Startup, ID: i.StartupID})
}

// AppendReferences appends the nodes the fund's fields point at.
func (f Fund) AppendReferences(out []Ref) []Ref {
	out = appendRef(out, globalid.Organization, f.ManagerID)
	out = appendRef(out, globalid.Organization, f.SponsorID)
	return appendRef(out, globalid.Program, f.ProgramID)
}

// AppendReferences appends the nodes the facility's fields point at.
func (f Facility) AppendReferences(out []Ref) []Ref {
	out = appendRef(out, globalid.Facility, f.ParentID)
	return appendRef(out, globalid.Organization, f.OperatorID)
}

// AppendReferences appends the nodes the organization's fields point at.
func (o Organization) AppendReferences(out []Ref) []Ref {
	return appendRef(out, globalid.Organization, o.ParentID)
}

// AppendReferences appends the nodes the cohort's fields point at.
func (c Cohort) AppendReferences(out []Ref) []Ref {
	return append(out, Ref{Type: globalid.Program, ID: c.ProgramID})
}

// AppendReferences appends the nodes the mentor's fields point at.
func (m Mentor) AppendReferences(out []Ref) []Ref {
	out = appendRef(out, globalid.University, m.AffiliatedUniversityID)
	return appendRef(out, globalid.Organization, m.AffiliatedOrganizationID)
}

// AppendReferences appends the cohort of a membership edge.
func (m Membership) AppendReferences(out []Ref) []Ref {
	return append(out, Ref{Type: globalid.Cohort, ID: m.CohortID})
}

// AppendReferences appends the support program of a market-target edge.
func (t MarketTarget) AppendReferences(out []Ref) []Ref {
	return appendRef(out, globalid.Program, t.SupportProgramID)
}

// AppendReferences appends the market of an outcome.
func (o Outcome) AppendReferences(out []Ref) []Ref {
	return appendRef(out, globalid.Market, o.MarketID)
}

// AppendReferences appends the fund of a fund total.
func (f FundTotal) AppendReferences(out []Ref) []Ref {
	return append(out, Ref{Type: globalid.Fund, ID: f.FundID})
}

// AppendReferences appends the recommended mentor.
func (r MentorRecommendation) AppendReferences(out []Ref) []Ref {
	return append(out, Ref{Type: globalid.Mentor, ID: r.MentorID})
}

// AppendReferences appends the similar startup.
func (s SimilarStartup) AppendReferences(out []Ref) []Ref {
	return append(out, Ref{Type: globalid.Startup, ID: s.StartupID})
}

// AppendReferences appends the node of a neighborhood entry.
func (n NeighborhoodNode) AppendReferences(out []Ref) []Ref { return append(out, n.Ref) }

// AppendReferences appends the nodes along a path.
func (p GraphPath) AppendReferences(out []Ref) []Ref { return append(out, p.Refs...) }

// appendWanted appends what v, a pointer to an edge or a node, refers to.
// Called on pointers into a page, it copies nothing to the heap (asserting
// an interface on an edge or node value would).
func appendWanted(out []Ref, v any) []Ref {
	if r, ok := v.(Referencing); ok {
		return r.AppendReferences(out)
	}
	return out
}

// WantedRefs lists what a page's edges and nodes point at.
func (c Connection[E, N]) WantedRefs() []Ref {
	var out []Ref
	for i := range c.Edges {
		out = appendWanted(out, &c.Edges[i])
		out = appendWanted(out, c.Edges[i].node())
	}
	return out
}
