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
