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
	for _, e := range c.Edges {
		if r, ok := any(e.node()).(Referenced); ok {
			refs = append(refs, r.NodeRef())
		}
	}
	return refs
}

// Referencing is anything whose fields point at nodes by id (a startup's
// facility, an investment's fund): the loaders fetch those nodes for a
// whole level at once.
type Referencing interface{ References() []Ref }

func refs(pairs ...any) []Ref {
	var out []Ref
	for i := 0; i+1 < len(pairs); i += 2 {
		typ := pairs[i].(globalid.Type)
		switch id := pairs[i+1].(type) {
		case int64:
			out = append(out, Ref{Type: typ, ID: id})
		case *int64:
			if id != nil {
				out = append(out, Ref{Type: typ, ID: *id})
			}
		}
	}
	return out
}

// References lists the nodes the startup's fields point at.
func (s Startup) References() []Ref { return refs(globalid.Facility, s.FacilityID) }

// References lists the nodes the investment's fields point at.
func (i Investment) References() []Ref {
	return refs(globalid.Fund, i.FundID, globalid.Startup, i.StartupID)
}

// References lists the nodes the fund's fields point at.
func (f Fund) References() []Ref {
	return refs(globalid.Organization, f.ManagerID, globalid.Organization, f.SponsorID, globalid.Program, f.ProgramID)
}

// References lists the nodes the facility's fields point at.
func (f Facility) References() []Ref {
	return refs(globalid.Facility, f.ParentID, globalid.Organization, f.OperatorID)
}

// References lists the nodes the organization's fields point at.
func (o Organization) References() []Ref { return refs(globalid.Organization, o.ParentID) }

// References lists the nodes the cohort's fields point at.
func (c Cohort) References() []Ref { return refs(globalid.Program, c.ProgramID) }

// References lists the nodes the mentor's fields point at.
func (m Mentor) References() []Ref {
	return refs(globalid.University, m.AffiliatedUniversityID, globalid.Organization, m.AffiliatedOrganizationID)
}

// References lists the cohort of a membership edge.
func (m Membership) References() []Ref { return refs(globalid.Cohort, m.CohortID) }

// References lists the support program of a market-target edge.
func (t MarketTarget) References() []Ref { return refs(globalid.Program, t.SupportProgramID) }

// References lists the market of an outcome.
func (o Outcome) References() []Ref { return refs(globalid.Market, o.MarketID) }

// References lists the fund of a fund total.
func (f FundTotal) References() []Ref { return refs(globalid.Fund, f.FundID) }

// References lists the recommended mentor.
func (r MentorRecommendation) References() []Ref { return refs(globalid.Mentor, r.MentorID) }

// References lists the similar startup.
func (s SimilarStartup) References() []Ref { return refs(globalid.Startup, s.StartupID) }

// References lists the node of a neighborhood entry.
func (n NeighborhoodNode) References() []Ref { return []Ref{n.Ref} }

// References lists the nodes along a path.
func (p GraphPath) References() []Ref { return p.Refs }

// WantedRefs lists what a page's edges and nodes point at.
func (c Connection[E, N]) WantedRefs() []Ref {
	var out []Ref
	for _, e := range c.Edges {
		if r, ok := any(e).(Referencing); ok {
			out = append(out, r.References()...)
		}
		if r, ok := any(e.node()).(Referencing); ok {
			out = append(out, r.References()...)
		}
	}
	return out
}
