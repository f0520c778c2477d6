package model

import (
	"io"
	"strconv"

	"startupgraph/internal/apperr"
)

// enum lists the values of a GraphQL enum bound to a Go string type, so that
// marshalling and input validation share one definition.
type enum[T ~string] []T

func (e enum[T]) parse(v any, name string) (T, error) {
	s, ok := v.(string)
	if !ok {
		return "", apperr.InvalidValue("must be a %s value", name)
	}
	for _, x := range e {
		if string(x) == s {
			return x, nil
		}
	}
	return "", apperr.InvalidValue("%q is not a valid %s", s, name)
}

func (e enum[T]) valid(v T) bool {
	for _, x := range e {
		if x == v {
			return true
		}
	}
	return false
}

func writeQuoted(w io.Writer, s string) { _, _ = io.WriteString(w, strconv.Quote(s)) }

// Provenance says where a record comes from.
type Provenance string

// The provenances of records.
const (
	ProvenanceArticle   Provenance = "ARTICLE"
	ProvenanceDemo      Provenance = "DEMO"
	ProvenanceSynthetic Provenance = "SYNTHETIC"
	ProvenanceAPI       Provenance = "API"
)

var provenances = enum[Provenance]{ProvenanceArticle, ProvenanceDemo, ProvenanceSynthetic, ProvenanceAPI}

// IsValid reports whether p is a known provenance.
func (p Provenance) IsValid() bool { return provenances.valid(p) }

// MarshalGQL writes p as a GraphQL enum value.
func (p Provenance) MarshalGQL(w io.Writer) { writeQuoted(w, string(p)) }

// UnmarshalGQL reads a GraphQL enum value.
func (p *Provenance) UnmarshalGQL(v any) (err error) {
	*p, err = provenances.parse(v, "Provenance")
	return err
}

// OrganizationKind classifies organizations.
type OrganizationKind string

var organizationKinds = enum[OrganizationKind]{"CITY_GOVERNMENT", "GOVERNMENT_AGENCY", "PUBLIC_AGENCY", "FOUNDATION", "SUPPORT_CENTER", "TEAM", "TASK_FORCE", "COMPANY"}

// IsValid reports whether k is a known organization kind.
func (k OrganizationKind) IsValid() bool { return organizationKinds.valid(k) }

// MarshalGQL writes k as a GraphQL enum value.
func (k OrganizationKind) MarshalGQL(w io.Writer) { writeQuoted(w, string(k)) }

// UnmarshalGQL reads a GraphQL enum value.
func (k *OrganizationKind) UnmarshalGQL(v any) (err error) {
	*k, err = organizationKinds.parse(v, "OrganizationKind")
	return err
}

// ProgramKind classifies programs.
type ProgramKind string

var programKinds = enum[ProgramKind]{"NATIONAL_PROGRAM", "CAMPUS_PROGRAM", "GLOBAL_EXPANSION", "FRAMEWORK", "WORKSHOP"}

// IsValid reports whether k is a known program kind.
func (k ProgramKind) IsValid() bool { return programKinds.valid(k) }

// MarshalGQL writes k as a GraphQL enum value.
func (k ProgramKind) MarshalGQL(w io.Writer) { writeQuoted(w, string(k)) }

// UnmarshalGQL reads a GraphQL enum value.
func (k *ProgramKind) UnmarshalGQL(v any) (err error) {
	*k, err = programKinds.parse(v, "ProgramKind")
	return err
}

// FundKind classifies funds.
type FundKind string

var fundKinds = enum[FundKind]{"VENTURE_FUND", "GOVERNMENT_GRANT"}

// IsValid reports whether k is a known fund kind.
func (k FundKind) IsValid() bool { return fundKinds.valid(k) }

// MarshalGQL writes k as a GraphQL enum value.
func (k FundKind) MarshalGQL(w io.Writer) { writeQuoted(w, string(k)) }

// UnmarshalGQL reads a GraphQL enum value.
func (k *FundKind) UnmarshalGQL(v any) (err error) {
	*k, err = fundKinds.parse(v, "FundKind")
	return err
}

// FacilityKind classifies the campus's spaces.
type FacilityKind string

var facilityKinds = enum[FacilityKind]{"CAMPUS", "RESIDENT_OFFICE", "PROTOTYPE_WORKSHOP", "MEETING_ROOM", "DESIGN_LAB", "WORKSTATION", "LOUNGE"}

// IsValid reports whether k is a known facility kind.
func (k FacilityKind) IsValid() bool { return facilityKinds.valid(k) }

// MarshalGQL writes k as a GraphQL enum value.
func (k FacilityKind) MarshalGQL(w io.Writer) { writeQuoted(w, string(k)) }

// UnmarshalGQL reads a GraphQL enum value.
func (k *FacilityKind) UnmarshalGQL(v any) (err error) {
	*k, err = facilityKinds.parse(v, "FacilityKind")
	return err
}
