// Package relation declares the graph's relationships, once each: their
// two ends, where they are stored (a join table or a foreign key), the
// facts their edges carry, their order, their access scope and their
// documentation. Nothing here runs in the server: `go generate` (see
// gen/) turns the declarations into the schema's connection types and
// relationship fields, the model's Edge and Connection types, the store
// statement that cuts child lists for a batch of parents, the loaders and
// the resolvers of both ends. ARCHITECTURE.md walks through adding one.
package relation

// Node is a type of the graph that relationships join.
type Node struct {
	Name  string // GraphQL and model type, e.g. "Startup"
	Table string // its table, e.g. "startups"
	// Row and Cols name the store's row type and column list for it.
	Row, Cols string
	// Guard names the store's scope guard for its ids ("startupGuard"),
	// "" when every viewer may see every row.
	Guard string
	// Plural names a page of it in the schema ("A page of startups.").
	Plural string
	// Fields are the columns a where filter may compare (beside id, and
	// the relationships of the type, which every filter offers). Type
	// "Name" is the bilingual name (name_ko, name_en).
	Fields []Fact
}

// Facts are what a relationship's edge says beside the node it leads to:
// columns of the join table, read into a model type that the edge embeds.
// Declared by Fields, the model type, the store's row and the schema's
// edge fields are generated; Investment's edge facts are a whole node
// (Field, Row, Cols and SDL say how to read and show it).
type Facts struct {
	Model  string // model type, e.g. "Assignment"
	Fields []Fact
	// Field names the edge's field holding Model; "" embeds it, so its
	// fields are the edge's. Row, Cols and SDL, for facts not declared by
	// Fields: the store's row type, its column list (a Go expression) and
	// the edge's fields in the schema.
	Field, Row, Cols, SDL string
	// Where are the columns a where filter may compare, for facts not
	// declared by Fields.
	Where []Fact
}

// Fact is one column of a relationship's edge.
type Fact struct {
	Field  string // the schema's field, e.g. "since"
	Column string // the join table's column, e.g. "since"
	// Type is the schema's type: Date, String, Int, an enum, or a node
	// type (the column then holds its id, and the field loads it), with
	// "!" when the column is NOT NULL.
	Type string
	Doc  string
}

// End is one end of a relationship, and the field on it that lists the
// other end.
type End struct {
	Node string // the node type at this end
	// Column holds this end's id: in the join table, or for a foreign
	// key, in the table of the end that holds it.
	Column string
	// Role names this end in cursors ("assignments/university"); the
	// node's name in lower case when empty.
	Role string
	// Field lists the other end on this one ("" when the schema does not
	// offer that direction); Doc describes it.
	Field, Doc string
	// Loader names the direction in the loaders and the store
	// ("UniversityStartups").
	Loader string
	// Connection names the page type of Field ("AssignedStartup" for
	// AssignedStartupConnection); empty: the other node's own page type
	// (a relationship without facts). ConnectionDoc describes it.
	Connection, ConnectionDoc string
	// Lists names the node type Field lists when it is not the other
	// end's (a startup's programs, through its memberships' cohorts).
	Lists string
	// Copies are fields of this end's node that the join table keeps a
	// copy of, kept current by triggers, by field and join-table column
	// (a mentorship keeps its startup's stage): a filter over the edges
	// that names only these fields of this end's node is answered from
	// the join table alone.
	Copies map[string]string
	// Via replaces the FROM clause of this direction when the parent's id
	// is not in the join table (a program's members, through cohorts);
	// Parent then names the expression that holds it.
	Via, Parent string
}

// Order sorts a relationship's edges; by default, the order they were
// recorded in (the join table's id).
type Order struct {
	Expr, Cast string
	Desc       bool
}

// Relationship joins two ends.
type Relationship struct {
	Name string // the table it is stored in, dashed: "market-targets"
	// Table is the join table (aliased e), or, for a foreign key, the table
	// of the end whose Column points at the other end (aliased n).
	Table string
	// ForeignKey says the relationship is a column of End[1]'s table
	// pointing at End[0] (Ends[1].Column); there are no facts.
	ForeignKey bool
	Ends       [2]End
	Facts      *Facts
	Order      *Order
	// OwnAssignments: a university sees only its own rows of this
	// relationship (Ends[0] is the university).
	OwnAssignments bool
	// Implied names an end's node type whose visibility follows from the
	// other end's (a mentor of a team the viewer sees is a mentor it
	// sees): it is not guarded again where the other end is.
	Implied string
	// Graph puts the relationship among the edges neighborhood and paths
	// walk; nil leaves it out.
	Graph *Graph
}

// Graph is how a relationship appears to neighborhood and paths.
type Graph struct {
	Kind string // GraphEdge.kind, e.g. "ASSIGNMENT"
	From int    // the end (0 or 1) the edge is reported from
	// Table, A and B replace the table (aliased e) and the expressions of
	// the From end's id and the other end's, for a relationship that
	// reaches an end through another table (a program, through cohorts).
	Table, A, B string
}

// PageArgs are the arguments of every paged field, in the schema's words.
const PageArgs = `"Return the first n items (1-100; 20 when neither first nor last is given)." first: Int, ` +
	`"Return items after this cursor (from pageInfo.endCursor or an edge)." after: String, ` +
	`"Return the last n items (1-100)." last: Int, "Return items before this cursor." before: String`

// List is a root field that pages every node of a type the viewer sees.
type List struct {
	Field, Node, Doc string
	// Filter and Order name the field's filter and order input types
	// ("" for none); FilterDoc and OrderDoc describe them.
	Filter, FilterDoc, Order, OrderDoc string
	Directive                          string // "@authenticated", "@admin" or ""
}

// Plain pages: node and record types listed without edge facts.
var Plain = []Node{
	Nodes["Organization"], Nodes["Sector"], Nodes["Program"], Nodes["Fund"], Nodes["Facility"], Nodes["Market"],
	Nodes["Startup"], Nodes["Mentor"], Nodes["Cohort"], Nodes["Investment"], Nodes["StageChange"], Nodes["Outcome"],
	Nodes["AuditEntry"],
}
