package model

// Edges and connections of the schema. Every connection embeds
// Connection; every edge has a cursor and a node, and edges of
// relationships carry the relationship's facts.

// OrganizationEdge is an edge of OrganizationConnection.
type OrganizationEdge struct {
	Cursor Cursor
	Node   *Organization
}

func (e OrganizationEdge) node() *Organization { return e.Node }

// OrganizationConnection is a page of Organization items.
type OrganizationConnection struct {
	Connection[OrganizationEdge, Organization]
}

// SectorEdge is an edge of SectorConnection.
type SectorEdge struct {
	Cursor Cursor
	Node   *Sector
}

func (e SectorEdge) node() *Sector { return e.Node }

// SectorConnection is a page of Sector items.
type SectorConnection struct{ Connection[SectorEdge, Sector] }

// ProgramEdge is an edge of ProgramConnection.
type ProgramEdge struct {
	Cursor Cursor
	Node   *Program
}

func (e ProgramEdge) node() *Program { return e.Node }

// ProgramConnection is a page of Program items.
type ProgramConnection struct {
	Connection[ProgramEdge, Program]
}

// FundEdge is an edge of FundConnection.
type FundEdge struct {
	Cursor Cursor
	Node   *Fund
}

func (e FundEdge) node() *Fund { return e.Node }

// FundConnection is a page of Fund items.
type FundConnection struct{ Connection[FundEdge, Fund] }

// FacilityEdge is an edge of FacilityConnection.
type FacilityEdge struct {
	Cursor Cursor
	Node   *Facility
}

func (e FacilityEdge) node() *Facility { return e.Node }

// FacilityConnection is a page of Facility items.
type FacilityConnection struct {
	Connection[FacilityEdge, Facility]
}

// MarketEdge is an edge of MarketConnection.
type MarketEdge struct {
	Cursor Cursor
	Node   *Market
}

func (e MarketEdge) node() *Market { return e.Node }

// MarketConnection is a page of Market items.
type MarketConnection struct{ Connection[MarketEdge, Market] }

// StartupEdge is an edge of StartupConnection.
type StartupEdge struct {
	Cursor Cursor
	Node   *Startup
}

func (e StartupEdge) node() *Startup { return e.Node }

// StartupConnection is a page of Startup items.
type StartupConnection struct {
	Connection[StartupEdge, Startup]
}

// MentorEdge is an edge of MentorConnection.
type MentorEdge struct {
	Cursor Cursor
	Node   *Mentor
}

func (e MentorEdge) node() *Mentor { return e.Node }

// MentorConnection is a page of Mentor items.
type MentorConnection struct{ Connection[MentorEdge, Mentor] }

// CohortEdge is an edge of CohortConnection.
type CohortEdge struct {
	Cursor Cursor
	Node   *Cohort
}

func (e CohortEdge) node() *Cohort { return e.Node }

// CohortConnection is a page of Cohort items.
type CohortConnection struct{ Connection[CohortEdge, Cohort] }

// InvestmentEdge is an edge of InvestmentConnection.
type InvestmentEdge struct {
	Cursor Cursor
	Node   *Investment
}

func (e InvestmentEdge) node() *Investment { return e.Node }

// InvestmentConnection is a page of Investment items.
type InvestmentConnection struct {
	Connection[InvestmentEdge, Investment]
}

// StageChangeEdge is an edge of StageChangeConnection.
type StageChangeEdge struct {
	Cursor Cursor
	Node   *StageChange
}

func (e StageChangeEdge) node() *StageChange { return e.Node }

// StageChangeConnection is a page of StageChange items.
type StageChangeConnection struct {
	Connection[StageChangeEdge, StageChange]
}

// OutcomeEdge is an edge of OutcomeConnection.
type OutcomeEdge struct {
	Cursor Cursor
	Node   *Outcome
}

func (e OutcomeEdge) node() *Outcome { return e.Node }

// OutcomeConnection is a page of Outcome items.
type OutcomeConnection struct {
	Connection[OutcomeEdge, Outcome]
}

// AssignedStartupEdge is an edge of AssignedStartupConnection.
type AssignedStartupEdge struct {
	Cursor Cursor
	Node   *Startup
	Assignment
}

func (e AssignedStartupEdge) node() *Startup { return e.Node }

// AssignedStartupConnection is a page of AssignedStartupEdge.
type AssignedStartupConnection struct {
	Connection[AssignedStartupEdge, Startup]
}

// UniversityAssignmentEdge is an edge of UniversityAssignmentConnection.
type UniversityAssignmentEdge struct {
	Cursor Cursor
	Node   *University
	Assignment
}

func (e UniversityAssignmentEdge) node() *University { return e.Node }

// UniversityAssignmentConnection is a page of UniversityAssignmentEdge.
type UniversityAssignmentConnection struct {
	Connection[UniversityAssignmentEdge, University]
}

// MentorshipEdge is an edge of MentorshipConnection.
type MentorshipEdge struct {
	Cursor Cursor
	Node   *Mentor
	Mentorship
}

func (e MentorshipEdge) node() *Mentor { return e.Node }

// MentorshipConnection is a page of MentorshipEdge.
type MentorshipConnection struct {
	Connection[MentorshipEdge, Mentor]
}

// MenteeEdge is an edge of MenteeConnection.
type MenteeEdge struct {
	Cursor Cursor
	Node   *Startup
	Mentorship
}

func (e MenteeEdge) node() *Startup { return e.Node }

// MenteeConnection is a page of MenteeEdge.
type MenteeConnection struct {
	Connection[MenteeEdge, Startup]
}

// InvestorEdge is an edge of InvestorConnection.
type InvestorEdge struct {
	Cursor     Cursor
	Node       *Fund
	Investment Investment
}

func (e InvestorEdge) node() *Fund { return e.Node }

// InvestorConnection is a page of InvestorEdge.
type InvestorConnection struct{ Connection[InvestorEdge, Fund] }

// PortfolioEdge is an edge of PortfolioConnection.
type PortfolioEdge struct {
	Cursor     Cursor
	Node       *Startup
	Investment Investment
}

func (e PortfolioEdge) node() *Startup { return e.Node }

// PortfolioConnection is a page of PortfolioEdge.
type PortfolioConnection struct {
	Connection[PortfolioEdge, Startup]
}

// MarketTargetEdge is an edge of MarketTargetConnection.
type MarketTargetEdge struct {
	Cursor Cursor
	Node   *Market
	MarketTarget
}

func (e MarketTargetEdge) node() *Market { return e.Node }

// MarketTargetConnection is a page of MarketTargetEdge.
type MarketTargetConnection struct {
	Connection[MarketTargetEdge, Market]
}

// TargetingStartupEdge is an edge of TargetingStartupConnection.
type TargetingStartupEdge struct {
	Cursor Cursor
	Node   *Startup
	MarketTarget
}

func (e TargetingStartupEdge) node() *Startup { return e.Node }

// TargetingStartupConnection is a page of TargetingStartupEdge.
type TargetingStartupConnection struct {
	Connection[TargetingStartupEdge, Startup]
}

// MemberEdge is an edge of MemberConnection.
type MemberEdge struct {
	Cursor Cursor
	Node   *Startup
	Membership
}

func (e MemberEdge) node() *Startup { return e.Node }

// MemberConnection is a page of MemberEdge.
type MemberConnection struct {
	Connection[MemberEdge, Startup]
}

// ProgramMembershipEdge is an edge of ProgramMembershipConnection.
type ProgramMembershipEdge struct {
	Cursor Cursor
	Node   *Program
	Membership
}

func (e ProgramMembershipEdge) node() *Program { return e.Node }

// ProgramMembershipConnection is a page of ProgramMembershipEdge.
type ProgramMembershipConnection struct {
	Connection[ProgramMembershipEdge, Program]
}

// ProgramRoleEdge is an edge of ProgramRoleConnection.
type ProgramRoleEdge struct {
	Cursor Cursor
	Node   *Organization
	ProgramRoleFacts
}

func (e ProgramRoleEdge) node() *Organization { return e.Node }

// ProgramRoleConnection is a page of ProgramRoleEdge.
type ProgramRoleConnection struct {
	Connection[ProgramRoleEdge, Organization]
}

// OrganizationRoleEdge is an edge of OrganizationRoleConnection.
type OrganizationRoleEdge struct {
	Cursor Cursor
	Node   *Program
	ProgramRoleFacts
}

func (e OrganizationRoleEdge) node() *Program { return e.Node }

// OrganizationRoleConnection is a page of OrganizationRoleEdge.
type OrganizationRoleConnection struct {
	Connection[OrganizationRoleEdge, Program]
}

// Amount is the amount of the edge's investment.
func (e InvestorEdge) Amount() KRW { return e.Investment.Amount }

// InvestedOn is the date of the edge's investment.
func (e InvestorEdge) InvestedOn() Date { return e.Investment.InvestedOn }

// Round is the round of the edge's investment.
func (e InvestorEdge) Round() InvestmentRound { return e.Investment.Round }

// Amount is the amount of the edge's investment.
func (e PortfolioEdge) Amount() KRW { return e.Investment.Amount }

// InvestedOn is the date of the edge's investment.
func (e PortfolioEdge) InvestedOn() Date { return e.Investment.InvestedOn }

// Round is the round of the edge's investment.
func (e PortfolioEdge) Round() InvestmentRound { return e.Investment.Round }

// AuditEntryEdge is an edge of AuditEntryConnection.
type AuditEntryEdge struct {
	Cursor Cursor
	Node   *AuditEntry
}

func (e AuditEntryEdge) node() *AuditEntry { return e.Node }

// AuditEntryConnection is a page of the audit trail.
type AuditEntryConnection struct {
	Connection[AuditEntryEdge, AuditEntry]
}
