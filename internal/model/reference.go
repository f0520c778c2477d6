package model

import (
	"time"

	"startupgraph/internal/globalid"
	"startupgraph/internal/i18n"
)

// University is one of the four global universities of Incheon Global
// Campus that partner with the city (MOU).
type University struct {
	Stamps
	RowID int64
	Key   string
	Names
	Descriptions
	ShortName   string
	HomeCountry string
	MouPartner  bool
	Provenance  Provenance
}

// ID is the node's opaque global id.
func (u University) ID() string { return globalid.Encode(globalid.University, u.RowID) }

// Organization is a government body, agency, foundation, center or team in
// the network.
type Organization struct {
	Stamps
	RowID int64
	Key   string
	Names
	Descriptions
	Kind       OrganizationKind
	ParentID   *int64
	MouPartner bool
	Provenance Provenance
}

// ID is the node's opaque global id.
func (o Organization) ID() string { return globalid.Encode(globalid.Organization, o.RowID) }

// Sector is an industry field; the four task-force fields are sectors.
type Sector struct {
	Stamps
	RowID int64
	Key   string
	Names
	Descriptions
	TaskForceField bool
	Provenance     Provenance
}

// ID is the node's opaque global id.
func (s Sector) ID() string { return globalid.Encode(globalid.Sector, s.RowID) }

// Program is a support program a startup can take part in.
type Program struct {
	Stamps
	RowID int64
	Key   string
	Names
	Descriptions
	Kind       ProgramKind
	Version    int
	ArchivedAt *time.Time
	Provenance Provenance
}

// ID is the node's opaque global id.
func (p Program) ID() string { return globalid.Encode(globalid.Program, p.RowID) }

// Fund is a venture fund or a government grant that invests in startups.
type Fund struct {
	Stamps
	RowID int64
	Key   string
	Names
	Descriptions
	Kind        FundKind
	Size        KRW
	ManagerID   *int64
	SponsorID   *int64
	ProgramID   *int64
	VintageYear *int
	Version     int
	ArchivedAt  *time.Time
	Provenance  Provenance
}

// ID is the node's opaque global id.
func (f Fund) ID() string { return globalid.Encode(globalid.Fund, f.RowID) }

// Facility is the Global Startup Campus or one of its spaces.
type Facility struct {
	Stamps
	RowID int64
	Key   string
	Names
	Kind             FacilityKind
	ParentID         *int64
	OperatorID       *int64
	AreaSquareMeters *int
	OpensIn          *string
	LocationKo       *string
	LocationEn       *string
	Provenance       Provenance
}

// ID is the node's opaque global id.
func (f Facility) ID() string { return globalid.Encode(globalid.Facility, f.RowID) }

// Location returns where the facility is, in the requested or default locale.
func (f Facility) Location(locale *i18n.Locale) Localized {
	return optionalText(f.LocationKo, f.LocationEn, locale)
}
