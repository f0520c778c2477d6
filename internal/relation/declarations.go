package relation

// Nodes are the types relationships join, by name.
var Nodes = map[string]Node{
	"University": {Name: "University", Table: "universities", Row: "universityRow", Cols: "universityCols", Plural: "universities",
		Fields: fields(key, name, Fact{"shortName", "short_name", "String!", "Short name, e.g. Ghent."},
			Fact{"homeCountry", "home_country", "String!", "ISO 3166-1 alpha-2 code of the home campus's country."},
			Fact{"mouPartner", "mou_partner", "Boolean!", "Whether the university signed the city's MOU."})},
	"Organization": {Name: "Organization", Table: "organizations", Row: "organizationRow", Cols: "organizationCols", Plural: "organizations",
		Fields: fields(key, name, Fact{"kind", "kind", "OrganizationKind!", "What kind of body it is."},
			Fact{"mouPartner", "mou_partner", "Boolean!", "Whether it signed the city's MOU."})},
	"Program": {Name: "Program", Table: "programs", Row: "programRow", Cols: "programCols", Plural: "programs",
		Fields: fields(key, name, Fact{"kind", "kind", "ProgramKind!", "What kind of program it is."}, archivedAt)},
	"Sector": {Name: "Sector", Table: "sectors", Row: "sectorRow", Cols: "sectorCols", Plural: "sectors",
		Fields: fields(key, name, Fact{"taskForceField", "task_force_field", "Boolean!", "Whether it is a field of the task force."})},
	"Fund": {Name: "Fund", Table: "funds", Row: "fundRow", Cols: "fundCols", Plural: "funds",
		Fields: fields(key, name, Fact{"kind", "kind", "FundKind!", "Venture fund or government grant."},
			Fact{"size", "size_krw", "KRW", "Committed size in KRW."}, Fact{"vintageYear", "vintage_year", "Int", "Year the fund started."}, archivedAt)},
	"Facility": {Name: "Facility", Table: "facilities", Row: "facilityRow", Cols: "facilityCols", Plural: "facilities",
		Fields: fields(key, name, Fact{"kind", "kind", "FacilityKind!", "What kind of space it is."})},
	"Market": {Name: "Market", Table: "markets", Row: "marketRow", Cols: "marketCols", Plural: "markets",
		Fields: fields(key, name, Fact{"code", "code", "String!", "Country or region code, e.g. VN."},
			Fact{"kind", "kind", "MarketKind!", "Country or region."}, archivedAt)},
	"Startup": {Name: "Startup", Table: "startups", Row: "startupRow", Cols: "startupCols", Guard: "startupGuard", Plural: "startups",
		Fields: fields(key, name, Fact{"stage", "stage", "GrowthStage!", "Current growth stage."},
			Fact{"foundedOn", "founded_on", "Date", "Founding date."}, archivedAt)},
	"Mentor": {Name: "Mentor", Table: "mentors", Row: "mentorRow", Cols: "mentorCols", Guard: "mentorGuard", Plural: "mentors",
		Fields: fields(key, name, Fact{"taskForceMember", "task_force_member", "Boolean!", "Whether the mentor is a task-force expert."},
			Fact{"university", "affiliated_university_id", "University", "The university the mentor is affiliated with."},
			Fact{"organization", "affiliated_organization_id", "Organization", "The organization the mentor is affiliated with."}, archivedAt)},
	"Cohort": {Name: "Cohort", Table: "cohorts", Row: "cohortRow", Cols: "cohortCols", Plural: "cohorts",
		Fields: fields(key, name, Fact{"year", "year", "Int!", "The cohort's year."}, archivedAt)},
	"Investment": {Name: "Investment", Table: "investments", Row: "investmentRow", Cols: "investmentCols", Plural: "investments",
		Fields: fields(Fact{"amount", "amount_krw", "KRW!", "Amount in KRW."}, Fact{"investedOn", "invested_on", "Date!", "When it was made."},
			Fact{"round", "round", "InvestmentRound!", "The round or instrument."},
			Fact{"fund", "fund_id", "Fund!", "The fund that invested."}, Fact{"startup", "startup_id", "Startup!", "The startup invested in."})},
	"StageChange": {Name: "StageChange", Table: "stage_changes", Row: "stageChangeRow", Cols: "stageChangeCols", Plural: "stage changes",
		Fields: fields(Fact{"stage", "stage", "GrowthStage!", "The stage reached."}, Fact{"changedOn", "changed_on", "Date!", "When the stage changed."})},
	"Outcome": {Name: "Outcome", Table: "outcomes", Row: "outcomeRow", Cols: "outcomeCols", Plural: "outcomes",
		Fields: fields(Fact{"kind", "kind", "OutcomeKind!", "What was reported."}, Fact{"reportedOn", "reported_on", "Date!", "When it was reported."},
			Fact{"quantity", "quantity", "Int!", "How many (patents, jobs)."}, Fact{"amount", "amount_krw", "KRW", "Amount in KRW, for money outcomes."})},
	"AuditEntry": {Name: "AuditEntry", Plural: "the audit trail"},
}

// archivedAt is when a node was archived.
var archivedAt = Fact{"archivedAt", "archived_at", "DateTime", "When it was archived; null while active."}

// Archivable reports whether n's rows can be archived (it has archivedAt):
// an archived row and its edges are left out of every list, count,
// aggregate, predicate and graph walk unless a list's filter says
// includeArchived (the store's archived guards).
func (n Node) Archivable() bool {
	for _, f := range n.Fields {
		if f == archivedAt {
			return true
		}
	}
	return false
}

// The fields most node types share.
var (
	key  = Fact{"key", "key", "String!", "The stable key, e.g. svc-factorylens."}
	name = Fact{"name", "name", "Name", "The Korean or English name."}
)

// fields are a node's fields: f, then when it was created and changed.
func fields(f ...Fact) []Fact { return append(f, createdAt, updatedAt) }

// createdAt and updatedAt are every node's timestamps (migration 00017),
// for filtering and ordering ("what changed since T"); not measured or
// grouped by (IsStamp).
var (
	createdAt = Fact{"createdAt", "created_at", "DateTime!", "When it was created."}
	updatedAt = Fact{"updatedAt", "updated_at", "DateTime!", "When it last changed (a figure kept from other rows, such as a startup's invested total, is no change of its own)."}
)

// IsStamp reports whether f is a node's or an edge's createdAt or updatedAt.
func IsStamp(f Fact) bool { return f == createdAt || f == updatedAt }

// Edge facts shared by both directions of a relationship.
var (
	assignment = &Facts{Model: "Assignment", Fields: []Fact{
		{"purpose", "purpose", "AssignmentPurpose!", "What the assignment is for."},
		{"status", "status", "AssignmentStatus!", "Where the assignment stands."},
		{"since", "since", "Date!", "When the assignment began."},
		{"until", "until", "Date", "When it ended, if it has."},
		createdAt, updatedAt,
	}}
	mentorship = &Facts{Model: "Mentorship", Fields: []Fact{
		{"focus", "focus", "String!", "What the mentoring focuses on (e.g. US market entry)."},
		{"since", "since", "Date!", "When the mentorship began."},
		{"until", "until", "Date", "When it ended, if it has."},
		createdAt, updatedAt,
	}}
	investment = &Facts{Model: "Investment", Field: "Investment", Row: "investmentRow", Cols: "investmentCols", SDL: `
  "Amount in KRW."
  amount: KRW!
  "Date of the investment."
  investedOn: Date!
  "Round or instrument."
  round: InvestmentRound!
  "The investment itself (a node)."
  investment: Investment!`,
		Where: []Fact{
			{"amount", "amount_krw", "KRW!", "Amount in KRW."},
			{"investedOn", "invested_on", "Date!", "Date of the investment."},
			{"round", "round", "InvestmentRound!", "Round or instrument."},
		}}
	marketTarget = &Facts{Model: "MarketTarget", Fields: []Fact{
		{"status", "status", "MarketTargetStatus!", "How far the startup is in the market."},
		{"priority", "priority", "Int!", "Priority from 1 (highest) to 5."},
		{"since", "since", "Date!", "When the startup began targeting the market."},
		{"supportProgram", "program_id", "Program", "The support program used, e.g. product localization support."},
		createdAt, updatedAt,
	}}
	membership = &Facts{Model: "Membership", Fields: []Fact{
		{"cohort", "cohort_id", "Cohort!", "The cohort the startup belongs to."},
		{"joinedOn", "joined_on", "Date!", "When the startup joined."},
		createdAt, updatedAt,
	}}
	marketExperience = &Facts{Model: "MarketExperience", Fields: []Fact{
		{"since", "since", "Date!", "Since when the mentor has known the market."},
		{"note", "note", "String", "What the mentor did there, e.g. ran a plant, sold medical devices."},
		createdAt, updatedAt,
	}}
	programRole = &Facts{Model: "ProgramRoleFacts", Fields: []Fact{
		{"role", "role", "ProgramRole!", "The organization's role in the program."},
	}}
)

// All are the graph's relationships. Adding one: declare it here, add its
// table in a migration, and run `make generate`.
var All = []Relationship{
	{Name: "assignments", Table: "assignments", Facts: assignment, OwnAssignments: true,
		Graph: &Graph{Kind: "ASSIGNMENT", From: 1}, Ends: [2]End{
			{Node: "University", Column: "university_id", Field: "startups", Loader: "UniversityStartups",
				Doc:        "Teams assigned to the university, with the assignment on each edge, in the order they were assigned.",
				Connection: "AssignedStartup", ConnectionDoc: "Teams assigned to a university."},
			{Node: "Startup", Column: "startup_id", Field: "universities", Loader: "StartupUniversities",
				Doc:        "Universities the team is assigned to, with the assignment on each edge.",
				Connection: "UniversityAssignment", ConnectionDoc: "Universities a team is assigned to."},
		}},
	{Name: "mentors", Table: "mentors", ForeignKey: true, Graph: &Graph{Kind: "AFFILIATION", From: 1}, Ends: [2]End{
		{Node: "University", Field: "mentors", Loader: "UniversityMentors", Doc: "Mentors affiliated with the university."},
		{Node: "Mentor", Column: "affiliated_university_id"},
	}},
	{Name: "organizations", Table: "organizations", ForeignKey: true, Ends: [2]End{
		{Node: "Organization", Role: "parent", Field: "children", Loader: "OrganizationChildren", Doc: "Organizations that belong to this one."},
		{Node: "Organization", Column: "parent_id"},
	}},
	{Name: "program-organizations", Table: "program_organizations", Facts: programRole,
		Graph: &Graph{Kind: "PROGRAM_ROLE", From: 1}, Ends: [2]End{
			{Node: "Organization", Column: "organization_id", Field: "programs", Loader: "OrganizationPrograms",
				Doc:        "Programs the organization hosts, sponsors or operates, with its role on each edge.",
				Connection: "OrganizationRole", ConnectionDoc: "Programs of an organization, with its roles."},
			{Node: "Program", Column: "program_id", Field: "organizations", Loader: "ProgramOrganizations",
				Doc:        "Organizations that host, sponsor or operate the program, with the role on each edge.",
				Connection: "ProgramRole", ConnectionDoc: "Organizations of a program, with their roles."},
		}},
	{Name: "mentors", Table: "mentors", ForeignKey: true, Graph: &Graph{Kind: "AFFILIATION", From: 1}, Ends: [2]End{
		{Node: "Organization", Field: "mentors", Loader: "OrganizationMentors", Doc: "Mentors affiliated with the organization."},
		{Node: "Mentor", Column: "affiliated_organization_id"},
	}},
	{Name: "startup-sectors", Table: "startup_sectors", Graph: &Graph{Kind: "SECTOR", From: 1}, Ends: [2]End{
		{Node: "Sector", Column: "sector_id", Field: "startups", Loader: "SectorStartups", Doc: "Startups working in the sector."},
		{Node: "Startup", Column: "startup_id", Field: "sectors", Loader: "StartupSectors", Doc: "Sectors the startup works in.",
			Copies: map[string]string{"stage": "stage"}}, // migration 00006
	}},
	{Name: "mentor-sectors", Table: "mentor_sectors", Graph: &Graph{Kind: "EXPERTISE", From: 1}, Ends: [2]End{
		{Node: "Sector", Column: "sector_id", Field: "mentors", Loader: "SectorMentors",
			Doc: "Mentors with expertise in the sector (for task-force fields: the working group)."},
		{Node: "Mentor", Column: "mentor_id", Field: "sectors", Loader: "MentorSectors", Doc: "Sectors of expertise."},
	}},
	{Name: "cohorts", Table: "cohorts", ForeignKey: true, Order: &Order{Expr: "n.year", Cast: "bigint", Desc: true}, Ends: [2]End{
		{Node: "Program", Field: "cohorts", Loader: "ProgramCohorts", Doc: "Cohorts of the program (e.g. Smart Venture Campus 2017)."},
		{Node: "Cohort", Column: "program_id"},
	}},
	{Name: "memberships", Table: "memberships", Facts: membership, Ends: [2]End{
		{Node: "Cohort", Column: "cohort_id", Field: "startups", Loader: "CohortMembers",
			Doc:        "Member startups, with the cohort on each edge.",
			Connection: "Member", ConnectionDoc: "Member startups of a program or cohort."},
		{Node: "Startup", Column: "startup_id", Field: "programs", Loader: "StartupPrograms",
			Doc:        "Programs the startup is a member of, with the cohort on each edge.",
			Connection: "ProgramMembership", ConnectionDoc: "Programs a startup is a member of.",
			// The field lists programs, through the membership's cohort.
			Lists: "Program",
			Via:   "memberships e JOIN cohorts c ON c.id = e.cohort_id JOIN programs n ON n.id = c.program_id"},
	}},
	// A program's members: the memberships of all its cohorts.
	{Name: "memberships", Table: "memberships", Facts: membership,
		Graph: &Graph{Kind: "MEMBERSHIP", From: 1, Table: "memberships e JOIN cohorts c ON c.id = e.cohort_id", A: "e.startup_id", B: "c.program_id"},
		Ends: [2]End{
			{Node: "Program", Field: "startups", Loader: "ProgramMembers",
				Doc:        "Startups that are members of any cohort of the program, with the cohort on each edge.",
				Connection: "Member",
				Via:        "memberships e JOIN cohorts c ON c.id = e.cohort_id JOIN startups n ON n.id = e.startup_id", Parent: "c.program_id"},
			{Node: "Startup", Column: "startup_id"},
		}},
	{Name: "investments", Table: "investments", Facts: investment, Graph: &Graph{Kind: "INVESTMENT", From: 1}, Ends: [2]End{
		{Node: "Fund", Column: "fund_id", Field: "portfolio", Loader: "FundPortfolio",
			Doc:        "Startups the fund invested in, one edge per investment with its amount, date and round.",
			Connection: "Portfolio", ConnectionDoc: "Startups a fund invested in, one edge per investment."},
		{Node: "Startup", Column: "startup_id", Field: "investors", Loader: "StartupInvestors",
			Doc:        "Funds that invested in the startup, one edge per investment with its amount, date and round.",
			Connection: "Investor", ConnectionDoc: "Funds that invested in a startup, one edge per investment."},
	}},
	{Name: "facilities", Table: "facilities", ForeignKey: true, Ends: [2]End{
		{Node: "Facility", Role: "parent", Field: "spaces", Loader: "FacilitySpaces", Doc: "Spaces inside this facility."},
		{Node: "Facility", Column: "parent_id"},
	}},
	{Name: "startups", Table: "startups", ForeignKey: true, Ends: [2]End{
		{Node: "Facility", Field: "residents", Loader: "FacilityResidents", Doc: "Startups resident in this facility."},
		{Node: "Startup", Column: "facility_id"},
	}},
	{Name: "stage-changes", Table: "stage_changes", ForeignKey: true, Order: &Order{Expr: "n.changed_on", Cast: "date"}, Ends: [2]End{
		{Node: "Startup", Field: "stageHistory", Loader: "StartupStageHistory", Doc: "Growth-stage changes, oldest first; the last is the current stage."},
		{Node: "StageChange", Column: "startup_id"},
	}},
	{Name: "outcomes", Table: "outcomes", ForeignKey: true, Order: &Order{Expr: "n.reported_on", Cast: "date"}, Ends: [2]End{
		{Node: "Startup", Field: "outcomes", Loader: "StartupOutcomes",
			Doc: "Outcomes the startup reported (patents, investment attracted, export contracts, jobs), oldest first."},
		{Node: "Outcome", Column: "startup_id"},
	}},
	// A mentor of a startup the viewer sees is one it sees.
	{Name: "mentorships", Table: "mentorships", Facts: mentorship, Implied: "Mentor",
		Graph: &Graph{Kind: "MENTORSHIP", From: 0}, Ends: [2]End{
			{Node: "Startup", Column: "startup_id", Field: "mentors", Loader: "StartupMentors",
				Doc:        "Mentors of the startup, with the mentorship (focus, since, until) on each edge.",
				Connection: "Mentorship", ConnectionDoc: "Mentors of a startup.",
				Copies: map[string]string{"stage": "startup_stage"}}, // migration 00028
			{Node: "Mentor", Column: "mentor_id", Field: "startups", Loader: "MentorStartups",
				Doc:        "Startups the mentor mentors, with the mentorship on each edge.",
				Connection: "Mentee", ConnectionDoc: "Startups a mentor mentors."},
		}},
	{Name: "market-targets", Table: "market_targets", Facts: marketTarget, Graph: &Graph{Kind: "MARKET_TARGET", From: 0}, Ends: [2]End{
		{Node: "Startup", Column: "startup_id", Field: "markets", Loader: "StartupMarkets",
			Doc:        "Overseas markets the startup targets, with status, priority and support program on each edge.",
			Connection: "MarketTarget", ConnectionDoc: "Markets a startup targets."},
		{Node: "Market", Column: "market_id", Field: "startups", Loader: "MarketStartups",
			Doc:        "Startups targeting the market, with the target (status, priority, program) on each edge.",
			Connection: "TargetingStartup", ConnectionDoc: "Startups targeting a market."},
	}},
	{Name: "mentor-markets", Table: "mentor_markets", Facts: marketExperience, Graph: &Graph{Kind: "MARKET_EXPERIENCE", From: 0}, Ends: [2]End{
		{Node: "Mentor", Column: "mentor_id", Field: "markets", Loader: "MentorMarkets",
			Doc:        "Overseas markets the mentor knows, with since when and a note on each edge.",
			Connection: "MentorMarket", ConnectionDoc: "Markets a mentor has experience of."},
		{Node: "Market", Column: "market_id", Field: "mentors", Loader: "MarketMentors",
			Doc:        "Mentors with experience of the market, with since when and a note on each edge.",
			Connection: "MarketMentor", ConnectionDoc: "Mentors with experience of a market."},
	}},
}

// Lists are the root fields that page a node type; their resolvers (with
// their filters) are written by hand in graph/relations.resolvers.go.
var Lists = []List{
	{Field: "organizations", Node: "Organization", Doc: "Government bodies, agencies, foundations, centers and teams of the network (e.g. SMBA, Incheon Technopark).",
		Filter: "OrganizationFilter", FilterDoc: "A shorthand for common conditions on organizations (fields AND, values OR); where says more (both must hold when both are given).", Order: "[OrganizationOrder!]", OrderDoc: byKeys},
	{Field: "sectors", Node: "Sector", Doc: "Industry sectors, including the four fields of the 4th Industrial Revolution Response Task Force.",
		Filter: "SectorFilter", FilterDoc: "A shorthand for common conditions on sectors (fields AND, values OR); where says more (both must hold when both are given).", Order: "[SectorOrder!]", OrderDoc: byKeys},
	{Field: "programs", Node: "Program", Doc: "Support programs (e.g. Smart Venture Campus, 스마트벤처캠퍼스).",
		Filter: "ProgramFilter", FilterDoc: "A shorthand for common conditions on programs (fields AND, values OR); where says more (both must hold when both are given).", Order: "[ProgramOrder!]", OrderDoc: byKeys},
	{Field: "funds", Node: "Fund", Doc: "Funds and grants that invest in startups (e.g. the Creative Growth Venture Fund, 창조성장벤처펀드).",
		Filter: "FundFilter", FilterDoc: "A shorthand for common conditions on funds (fields AND, values OR); where says more (both must hold when both are given).", Order: "[FundOrder!]", OrderDoc: byKeys},
	{Field: "facilities", Node: "Facility", Doc: "The Global Startup Campus and its spaces.",
		Order: "[FacilityOrder!]", OrderDoc: byKeys},
	{Field: "markets", Node: "Market", Doc: "Overseas markets (countries and regions) that startups target.",
		Filter: "MarketFilter", FilterDoc: "A shorthand for common conditions on markets (fields AND, values OR); where says more (both must hold when both are given).", Order: "[MarketOrder!]", OrderDoc: byKeys},
	{Field: "startups", Node: "Startup", Doc: "Startups (teams).",
		Filter: "StartupFilter", FilterDoc: "A shorthand for common conditions on startups (fields AND, values OR); where says more (both must hold when both are given).", Order: "[StartupOrder!]",
		OrderDoc: "Sort order, one key after another (at most 5; the id breaks ties); by English name when omitted.", Directive: "@authenticated"},
	{Field: "mentors", Node: "Mentor", Doc: "Mentors (experts), including the 26 experts of the 4th Industrial Revolution Response Task Force.",
		Filter: "MentorFilter", FilterDoc: "A shorthand for common conditions on mentors (fields AND, values OR); where says more (both must hold when both are given).", Order: "[MentorOrder!]", OrderDoc: byKeys, Directive: "@authenticated"},
	{Field: "auditLog", Node: "AuditEntry", Doc: "The audit trail of every mutation, newest first (ADMIN only).",
		Filter: "AuditFilter", FilterDoc: "Only records matching this filter.", Directive: "@admin"},
	{Field: "investments", Node: "Investment", Doc: "Investments and grants from funds into startups.",
		Filter: "InvestmentFilter", FilterDoc: "A shorthand for common conditions on investments (fields AND, values OR); where says more (both must hold when both are given).", Order: "InvestmentOrder", OrderDoc: "Sort order; newest first when omitted.",
		Directive: "@authenticated"},
}

const byKeys = "Sort order, one key after another (at most 5; the id breaks ties); by English name when omitted."
