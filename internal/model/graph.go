package model

import (
	"time"

	"startupgraph/internal/globalid"
	"startupgraph/internal/i18n"
)

// Startup is a team supported by the network.
type Startup struct {
	Stamps
	RowID int64
	Key   string
	Names
	Descriptions
	Stage      GrowthStage
	FoundedOn  *Date
	FacilityID *int64
	Version    int
	ArchivedAt *time.Time
	Provenance Provenance
}

// ID is the node's opaque global id.
func (s Startup) ID() string { return globalid.Encode(globalid.Startup, s.RowID) }

// Mentor is an expert who mentors startups.
type Mentor struct {
	Stamps
	RowID int64
	Key   string
	Names
	TitleKo                  *string
	TitleEn                  *string
	TaskForceMember          bool
	Languages                []string
	AffiliatedUniversityID   *int64
	AffiliatedOrganizationID *int64
	Version                  int
	ArchivedAt               *time.Time
	Provenance               Provenance
}

// ID is the node's opaque global id.
func (m Mentor) ID() string { return globalid.Encode(globalid.Mentor, m.RowID) }

// Title returns the job title in the requested or default locale.
func (m Mentor) Title(locale *i18n.Locale) Localized {
	return optionalText(m.TitleKo, m.TitleEn, locale)
}

// Market is an overseas market: a country or a region.
type Market struct {
	Stamps
	RowID int64
	Key   string
	Code  string
	Kind  MarketKind
	Names
	Version    int
	ArchivedAt *time.Time
	Provenance Provenance
}

// ID is the node's opaque global id.
func (m Market) ID() string { return globalid.Encode(globalid.Market, m.RowID) }

// Cohort is one round of a program.
type Cohort struct {
	Stamps
	RowID     int64
	Key       string
	ProgramID int64
	Names
	Year       int
	TeamQuota  *int
	Version    int
	ArchivedAt *time.Time
	Provenance Provenance
}

// ID is the node's opaque global id.
func (c Cohort) ID() string { return globalid.Encode(globalid.Cohort, c.RowID) }

// Investment is money from a fund into a startup.
type Investment struct {
	Stamps
	RowID       int64
	FundID      int64
	StartupID   int64
	Amount      KRW
	InvestedOn  Date
	Round       InvestmentRound
	Version     int
	PreFounding bool
	Provenance  Provenance
}

// ID is the node's opaque global id.
func (i Investment) ID() string { return globalid.Encode(globalid.Investment, i.RowID) }

// StageChange is one entry of a startup's stage history.
type StageChange struct {
	Stamps
	RowID     int64
	Version   int
	Stage     GrowthStage
	ChangedOn Date
	Note      *string
}

// Outcome is a figure a startup reported.
type Outcome struct {
	Stamps
	RowID      int64
	Version    int
	Kind       OutcomeKind
	ReportedOn Date
	Quantity   int
	Amount     *KRW
	MarketID   *int64
	Note       *string
}

// ID is the record's opaque global id, for its corrections.
func (c StageChange) ID() string { return globalid.Encode(globalid.StageChange, c.RowID) }

// ID is the record's opaque global id, for its corrections.
func (o Outcome) ID() string { return globalid.Encode(globalid.Outcome, o.RowID) }

// Affiliation is what a mentor belongs to: a University or an Organization.
type Affiliation interface{ IsAffiliation() }

// IsAffiliation marks University as an Affiliation.
func (University) IsAffiliation() {}

// IsAffiliation marks Organization as an Affiliation.
func (Organization) IsAffiliation() {}

// Node is anything with a global id that node(id:) can refetch.
type Node interface{ IsNode() }

// IsNode marks the type as a Node.
func (University) IsNode() {}

// IsNode marks the type as a Node.
func (Organization) IsNode() {}

// IsNode marks the type as a Node.
func (Program) IsNode() {}

// IsNode marks the type as a Node.
func (Sector) IsNode() {}

// IsNode marks the type as a Node.
func (Fund) IsNode() {}

// IsNode marks the type as a Node.
func (Facility) IsNode() {}

// IsNode marks the type as a Node.
func (Startup) IsNode() {}

// IsNode marks the type as a Node.
func (Mentor) IsNode() {}

// IsNode marks the type as a Node.
func (Market) IsNode() {}

// IsNode marks the type as a Node.
func (Cohort) IsNode() {}

// IsNode marks the type as a Node.
func (Investment) IsNode() {}

// Stamps are when a node or record was created and last changed, kept by
// the database (migration 00017): what a client syncs "changed since" by.
type Stamps struct {
	CreatedAt time.Time
	UpdatedAt time.Time
}
