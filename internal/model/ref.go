package model

import "startupgraph/internal/globalid"

// Ref identifies a node by type and row id. The loaders use refs to batch
// a whole level of a query: every node a field returns is registered, and
// the first child load of a level fetches for all registered siblings.
type Ref struct {
	Type globalid.Type
	ID   int64
}

// Referenced is a node that can name its Ref.
type Referenced interface{ NodeRef() Ref }

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
		if r, ok := any(c.Edges[i].node()).(Referenced); ok {
			refs = append(refs, r.NodeRef())
		}
	}
	return refs
}

// Referencing is anything whose fields point at nodes by id (a startup's
// facility, an investment's fund): the loaders fetch those nodes for a
// whole level at once.
type Referencing interface{ References() []Ref }

// appendRef appends the ref of a non-null reference.
func appendRef(out []Ref, t globalid.Type, id *int64) []Ref {
	if id == nil {
		return out
	}
	return append(out, Ref{Type: t, ID: *id})
}

// References lists the nodes the startup's fields point at.
func (s Startup) References() []Ref { return s.appendReferences(nil) }

func (s Startup) appendReferences(out []Ref) []Ref {
	return appendRef(out, globalid.Facility, s.FacilityID)
}

// References lists the nodes the investment's fields point at.
func (i Investment) References() []Ref { return i.appendReferences(nil) }

func (i Investment) appendReferences(out []Ref) []Ref {
	return append(out, Ref{Type: globalid.Fund, ID: i.FundID}, Ref{Type: globalid.Startup, ID: i.StartupID})
}

// References lists the nodes the fund's fields point at.
func (f Fund) References() []Ref { return f.appendReferences(nil) }

func (f Fund) appendReferences(out []Ref) []Ref {
	out = appendRef(out, globalid.Organization, f.ManagerID)
	out = appendRef(out, globalid.Organization, f.SponsorID)
	return appendRef(out, globalid.Program, f.ProgramID)
}

// References lists the nodes the facility's fields point at.
func (f Facility) References() []Ref { return f.appendReferences(nil) }

func (f Facility) appendReferences(out []Ref) []Ref {
	out = appendRef(out, globalid.Facility, f.ParentID)
	return appendRef(out, globalid.Organization, f.OperatorID)
}

// References lists the nodes the organization's fields point at.
func (o Organization) References() []Ref { return o.appendReferences(nil) }

func (o Organization) appendReferences(out []Ref) []Ref {
	return appendRef(out, globalid.Organization, o.ParentID)
}

// References lists the nodes the cohort's fields point at.
func (c Cohort) References() []Ref { return c.appendReferences(nil) }

func (c Cohort) appendReferences(out []Ref) []Ref {
	return append(out, Ref{Type: globalid.Program, ID: c.ProgramID})
}

// References lists the nodes the mentor's fields point at.
func (m Mentor) References() []Ref { return m.appendReferences(nil) }

func (m Mentor) appendReferences(out []Ref) []Ref {
	out = appendRef(out, globalid.University, m.AffiliatedUniversityID)
	return appendRef(out, globalid.Organization, m.AffiliatedOrganizationID)
}

// References lists the cohort of a membership edge.
func (m Membership) References() []Ref { return m.appendReferences(nil) }

func (m Membership) appendReferences(out []Ref) []Ref {
	return append(out, Ref{Type: globalid.Cohort, ID: m.CohortID})
}

// References lists the support program of a market-target edge.
func (t MarketTarget) References() []Ref { return t.appendReferences(nil) }

func (t MarketTarget) appendReferences(out []Ref) []Ref {
	return appendRef(out, globalid.Program, t.SupportProgramID)
}

// References lists the market of an outcome.
func (o Outcome) References() []Ref { return o.appendReferences(nil) }

func (o Outcome) appendReferences(out []Ref) []Ref {
	return appendRef(out, globalid.Market, o.MarketID)
}

// References lists the fund of a fund total.
func (f FundTotal) References() []Ref { return []Ref{{Type: globalid.Fund, ID: f.FundID}} }

// References lists the recommended mentor.
func (r MentorRecommendation) References() []Ref {
	return []Ref{{Type: globalid.Mentor, ID: r.MentorID}}
}

// References lists the similar startup.
func (s SimilarStartup) References() []Ref { return []Ref{{Type: globalid.Startup, ID: s.StartupID}} }

// References lists the node of a neighborhood entry.
func (n NeighborhoodNode) References() []Ref { return []Ref{n.Ref} }

// References lists the nodes along a path.
func (p GraphPath) References() []Ref { return p.Refs }

// referencer is a Referencing that appends its references to a slice.
type referencer interface{ appendReferences(out []Ref) []Ref }

// appendWanted appends what v, a pointer to an edge or a node, refers to.
// Called on pointers into a page, it copies nothing to the heap (asserting
// an interface on an edge or node value would).
func appendWanted(out []Ref, v any) []Ref {
	switch r := v.(type) {
	case referencer:
		return r.appendReferences(out)
	case Referencing:
		return append(out, r.References()...)
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
