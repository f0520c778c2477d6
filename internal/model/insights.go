package model

import (
	"time"

	"startupgraph/internal/globalid"
)

// StartupCriteria selects startups: fields combine with AND, the values of
// one field with OR. The startups list and insights share it.
type StartupCriteria struct {
	SectorIDs, ProgramIDs, CohortIDs, UniversityIDs, MentorIDs, FundIDs, MarketIDs []int64
	Stages, TargetStatuses                                                         []string
	FoundedFrom, FoundedTo                                                         *time.Time
	Search                                                                         string
}

// Total is a KRW sum the database computed exactly (PostgreSQL sums
// bigint as numeric), kept as its decimal text until a response writes
// it: a total beyond what the KRW scalar carries exactly (MaxExactKRW)
// then fails its own field with apperr.ErrOutOfRange, and the rest of
// the answer stands.
type Total string

// KRW converts the total, refusing one beyond ±MaxExactKRW.
func (t Total) KRW() (*KRW, error) {
	k, err := KRWTotal(string(t))
	if err != nil {
		return nil, err
	}
	return &k, nil
}

// InsightGroup is one group of a breakdown.
type InsightGroup struct {
	Key string
	Names
	Count int
	Sum   *Total // nil for breakdowns without money
}

// Amount is the group's KRW total, or nil.
func (g InsightGroup) Amount() (*KRW, error) {
	if g.Sum == nil {
		return nil, nil
	}
	return g.Sum.KRW()
}

// FundTotal is the money one fund put into a slice.
type FundTotal struct {
	FundID      int64
	Sum         Total
	Investments int
	Startups    int
}

// Invested is the KRW the fund put into the slice.
func (f FundTotal) Invested() (*KRW, error) { return f.Sum.KRW() }

// OutcomeTotals sums a slice's reported outcomes.
type OutcomeTotals struct {
	PatentsDomestic        int
	PatentsForeign         int
	InvestmentAttractedSum Total
	ExportContracts        int
	ExportValueSum         Total
	JobsCreated            int
}

// InvestmentAttracted is the KRW total of investment attracted.
func (o OutcomeTotals) InvestmentAttracted() (*KRW, error) { return o.InvestmentAttractedSum.KRW() }

// ExportValue is the KRW total of the export contracts.
func (o OutcomeTotals) ExportValue() (*KRW, error) { return o.ExportValueSum.KRW() }

// InvestmentDrift compares a slice's INVESTMENT_ATTRACTED outcomes (what
// the teams reported) with its recorded investments (what funds recorded).
type InvestmentDrift struct {
	AttractedSum, RecordedSum, DifferenceSum Total
	StartupsDiffering                        int
}

// AttractedOutcomes is the KRW the teams reported as investment attracted.
func (d InvestmentDrift) AttractedOutcomes() (*KRW, error) { return d.AttractedSum.KRW() }

// RecordedInvestments is the KRW the funds recorded as invested.
func (d InvestmentDrift) RecordedInvestments() (*KRW, error) { return d.RecordedSum.KRW() }

// Difference is AttractedOutcomes minus RecordedInvestments.
func (d InvestmentDrift) Difference() (*KRW, error) { return d.DifferenceSum.KRW() }

// FunnelStep is one stage of the growth funnel.
type FunnelStep struct {
	Stage                  GrowthStage
	Reached                int
	MedianDaysFromPrevious *float64
}

// TimePoint is one period of a time series.
type TimePoint struct {
	Period   string
	Start    Date
	Count    int
	Sum      *Total // nil for metrics without money
	Quantity *int
}

// Amount is the period's KRW total, or nil.
func (p TimePoint) Amount() (*KRW, error) {
	if p.Sum == nil {
		return nil, nil
	}
	return p.Sum.KRW()
}

// GraphEdge is an edge as neighborhood and paths report it.
type GraphEdge struct {
	Kind     string
	FromNode Ref
	ToNode   Ref
}

// From is the global id of one end.
func (e GraphEdge) From() string { return globalid.Encode(e.FromNode.Type, e.FromNode.ID) }

// To is the global id of the other end.
func (e GraphEdge) To() string { return globalid.Encode(e.ToNode.Type, e.ToNode.ID) }

// NeighborhoodNode is a node near the start and its distance.
type NeighborhoodNode struct {
	Ref      Ref
	Distance int
}

// Neighborhood is the nodes within some hops of a node.
type Neighborhood struct {
	Nodes     []NeighborhoodNode
	Edges     []GraphEdge
	Truncated bool
}

// GraphPath is one path between two nodes.
type GraphPath struct {
	Refs  []Ref
	Edges []GraphEdge
}

// Length is the number of edges.
func (p GraphPath) Length() int { return len(p.Edges) }

// MentorRecommendation is a mentor scored for a startup.
type MentorRecommendation struct {
	MentorID int64
	Score    float64
	Reasons  []string
}

// SimilarStartup is a startup scored by likeness to another.
type SimilarStartup struct {
	StartupID int64
	Score     float64
	Reasons   []string
}

// StageNames are the growth stages' names, as the article gives them.
var StageNames = map[GrowthStage]Names{
	GrowthStageIdea:              {NameKo: "아이디어 개발", NameEn: "Idea development"},
	GrowthStageFounding:          {NameKo: "창업", NameEn: "Founding"},
	GrowthStagePrototype:         {NameKo: "시제품 제작", NameEn: "Prototype"},
	GrowthStageRAndD:             {NameKo: "R&D 지원", NameEn: "R&D support"},
	GrowthStageMarketing:         {NameKo: "마케팅", NameEn: "Marketing"},
	GrowthStageInvestment:        {NameKo: "투자 및 펀딩", NameEn: "Investment and funding"},
	GrowthStageFinancing:         {NameKo: "자금지원", NameEn: "Financing"},
	GrowthStageOverseasExpansion: {NameKo: "해외진출", NameEn: "Overseas expansion"},
}

// RoundNames are the investment rounds' names.
var RoundNames = map[InvestmentRound]Names{
	InvestmentRoundGrant:      {NameKo: "보조금", NameEn: "Grant"},
	InvestmentRoundSeed:       {NameKo: "시드", NameEn: "Seed"},
	InvestmentRoundPreSeriesA: {NameKo: "프리 시리즈 A", NameEn: "Pre-Series A"},
	InvestmentRoundSeriesA:    {NameKo: "시리즈 A", NameEn: "Series A"},
	InvestmentRoundSeriesB:    {NameKo: "시리즈 B", NameEn: "Series B"},
	InvestmentRoundBridge:     {NameKo: "브릿지", NameEn: "Bridge"},
	InvestmentRoundLoan:       {NameKo: "융자", NameEn: "Loan"},
}
