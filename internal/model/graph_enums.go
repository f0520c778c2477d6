package model

import "io"

// GrowthStage is a startup's growth stage, in the order of the city's full-cycle support.
type GrowthStage string

// The values of GrowthStage, in schema order.
const (
	GrowthStageIdea              GrowthStage = "IDEA"
	GrowthStageFounding          GrowthStage = "FOUNDING"
	GrowthStagePrototype         GrowthStage = "PROTOTYPE"
	GrowthStageRAndD             GrowthStage = "R_AND_D"
	GrowthStageMarketing         GrowthStage = "MARKETING"
	GrowthStageInvestment        GrowthStage = "INVESTMENT"
	GrowthStageFinancing         GrowthStage = "FINANCING"
	GrowthStageOverseasExpansion GrowthStage = "OVERSEAS_EXPANSION"
)

var growthStages = enum[GrowthStage]{GrowthStageIdea, GrowthStageFounding, GrowthStagePrototype, GrowthStageRAndD, GrowthStageMarketing, GrowthStageInvestment, GrowthStageFinancing, GrowthStageOverseasExpansion}

// IsValid reports whether v is a known GrowthStage.
func (v GrowthStage) IsValid() bool { return growthStages.valid(v) }

// MarshalGQL writes v as a GraphQL enum value.
func (v GrowthStage) MarshalGQL(w io.Writer) { writeQuoted(w, string(v)) }

// UnmarshalGQL reads a GraphQL enum value.
func (v *GrowthStage) UnmarshalGQL(x any) (err error) {
	*v, err = growthStages.parse(x, "GrowthStage")
	return err
}

// MarketKind is whether a market is a country or a region.
type MarketKind string

// The values of MarketKind, in schema order.
const (
	MarketKindCountry MarketKind = "COUNTRY"
	MarketKindRegion  MarketKind = "REGION"
)

var marketKinds = enum[MarketKind]{MarketKindCountry, MarketKindRegion}

// IsValid reports whether v is a known MarketKind.
func (v MarketKind) IsValid() bool { return marketKinds.valid(v) }

// MarshalGQL writes v as a GraphQL enum value.
func (v MarketKind) MarshalGQL(w io.Writer) { writeQuoted(w, string(v)) }

// UnmarshalGQL reads a GraphQL enum value.
func (v *MarketKind) UnmarshalGQL(x any) (err error) {
	*v, err = marketKinds.parse(x, "MarketKind")
	return err
}

// InvestmentRound is the round or instrument of an investment.
type InvestmentRound string

// The values of InvestmentRound, in schema order.
const (
	InvestmentRoundGrant      InvestmentRound = "GRANT"
	InvestmentRoundSeed       InvestmentRound = "SEED"
	InvestmentRoundPreSeriesA InvestmentRound = "PRE_SERIES_A"
	InvestmentRoundSeriesA    InvestmentRound = "SERIES_A"
	InvestmentRoundSeriesB    InvestmentRound = "SERIES_B"
	InvestmentRoundBridge     InvestmentRound = "BRIDGE"
	InvestmentRoundLoan       InvestmentRound = "LOAN"
)

var investmentRounds = enum[InvestmentRound]{InvestmentRoundGrant, InvestmentRoundSeed, InvestmentRoundPreSeriesA, InvestmentRoundSeriesA, InvestmentRoundSeriesB, InvestmentRoundBridge, InvestmentRoundLoan}

// IsValid reports whether v is a known InvestmentRound.
func (v InvestmentRound) IsValid() bool { return investmentRounds.valid(v) }

// MarshalGQL writes v as a GraphQL enum value.
func (v InvestmentRound) MarshalGQL(w io.Writer) { writeQuoted(w, string(v)) }

// UnmarshalGQL reads a GraphQL enum value.
func (v *InvestmentRound) UnmarshalGQL(x any) (err error) {
	*v, err = investmentRounds.parse(x, "InvestmentRound")
	return err
}

// OutcomeKind is what kind of outcome a startup reported.
type OutcomeKind string

// The values of OutcomeKind, in schema order.
const (
	OutcomeKindPatentDomestic      OutcomeKind = "PATENT_DOMESTIC"
	OutcomeKindPatentForeign       OutcomeKind = "PATENT_FOREIGN"
	OutcomeKindInvestmentAttracted OutcomeKind = "INVESTMENT_ATTRACTED"
	OutcomeKindExportContract      OutcomeKind = "EXPORT_CONTRACT"
	OutcomeKindJobsCreated         OutcomeKind = "JOBS_CREATED"
)

var outcomeKinds = enum[OutcomeKind]{OutcomeKindPatentDomestic, OutcomeKindPatentForeign, OutcomeKindInvestmentAttracted, OutcomeKindExportContract, OutcomeKindJobsCreated}

// IsValid reports whether v is a known OutcomeKind.
func (v OutcomeKind) IsValid() bool { return outcomeKinds.valid(v) }

// MarshalGQL writes v as a GraphQL enum value.
func (v OutcomeKind) MarshalGQL(w io.Writer) { writeQuoted(w, string(v)) }

// UnmarshalGQL reads a GraphQL enum value.
func (v *OutcomeKind) UnmarshalGQL(x any) (err error) {
	*v, err = outcomeKinds.parse(x, "OutcomeKind")
	return err
}

// AssignmentPurpose is what a university's assignment of a team is for.
type AssignmentPurpose string

// The values of AssignmentPurpose, in schema order.
const (
	AssignmentPurposeJointProject     AssignmentPurpose = "JOINT_PROJECT"
	AssignmentPurposeOverseasStrategy AssignmentPurpose = "OVERSEAS_STRATEGY"
	AssignmentPurposeInternship       AssignmentPurpose = "INTERNSHIP"
)

var assignmentPurposes = enum[AssignmentPurpose]{AssignmentPurposeJointProject, AssignmentPurposeOverseasStrategy, AssignmentPurposeInternship}

// IsValid reports whether v is a known AssignmentPurpose.
func (v AssignmentPurpose) IsValid() bool { return assignmentPurposes.valid(v) }

// MarshalGQL writes v as a GraphQL enum value.
func (v AssignmentPurpose) MarshalGQL(w io.Writer) { writeQuoted(w, string(v)) }

// UnmarshalGQL reads a GraphQL enum value.
func (v *AssignmentPurpose) UnmarshalGQL(x any) (err error) {
	*v, err = assignmentPurposes.parse(x, "AssignmentPurpose")
	return err
}

// AssignmentStatus is where an assignment stands.
type AssignmentStatus string

// The values of AssignmentStatus, in schema order.
const (
	AssignmentStatusActive    AssignmentStatus = "ACTIVE"
	AssignmentStatusCompleted AssignmentStatus = "COMPLETED"
	AssignmentStatusEnded     AssignmentStatus = "ENDED"
)

var assignmentStatuss = enum[AssignmentStatus]{AssignmentStatusActive, AssignmentStatusCompleted, AssignmentStatusEnded}

// IsValid reports whether v is a known AssignmentStatus.
func (v AssignmentStatus) IsValid() bool { return assignmentStatuss.valid(v) }

// MarshalGQL writes v as a GraphQL enum value.
func (v AssignmentStatus) MarshalGQL(w io.Writer) { writeQuoted(w, string(v)) }

// UnmarshalGQL reads a GraphQL enum value.
func (v *AssignmentStatus) UnmarshalGQL(x any) (err error) {
	*v, err = assignmentStatuss.parse(x, "AssignmentStatus")
	return err
}

// MarketTargetStatus is how far a startup is in entering a market.
type MarketTargetStatus string

// The values of MarketTargetStatus, in schema order.
const (
	MarketTargetStatusExploring  MarketTargetStatus = "EXPLORING"
	MarketTargetStatusLocalizing MarketTargetStatus = "LOCALIZING"
	MarketTargetStatusEntered    MarketTargetStatus = "ENTERED"
)

var marketTargetStatuss = enum[MarketTargetStatus]{MarketTargetStatusExploring, MarketTargetStatusLocalizing, MarketTargetStatusEntered}

// IsValid reports whether v is a known MarketTargetStatus.
func (v MarketTargetStatus) IsValid() bool { return marketTargetStatuss.valid(v) }

// MarshalGQL writes v as a GraphQL enum value.
func (v MarketTargetStatus) MarshalGQL(w io.Writer) { writeQuoted(w, string(v)) }

// UnmarshalGQL reads a GraphQL enum value.
func (v *MarketTargetStatus) UnmarshalGQL(x any) (err error) {
	*v, err = marketTargetStatuss.parse(x, "MarketTargetStatus")
	return err
}

// ProgramRole is the role an organization plays in a program.
type ProgramRole string

// The values of ProgramRole, in schema order.
const (
	ProgramRoleHost     ProgramRole = "HOST"
	ProgramRoleSponsor  ProgramRole = "SPONSOR"
	ProgramRoleOperator ProgramRole = "OPERATOR"
)

var programRoles = enum[ProgramRole]{ProgramRoleHost, ProgramRoleSponsor, ProgramRoleOperator}

// IsValid reports whether v is a known ProgramRole.
func (v ProgramRole) IsValid() bool { return programRoles.valid(v) }

// MarshalGQL writes v as a GraphQL enum value.
func (v ProgramRole) MarshalGQL(w io.Writer) { writeQuoted(w, string(v)) }

// UnmarshalGQL reads a GraphQL enum value.
func (v *ProgramRole) UnmarshalGQL(x any) (err error) {
	*v, err = programRoles.parse(x, "ProgramRole")
	return err
}
