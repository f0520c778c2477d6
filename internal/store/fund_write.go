package store

import "context"

// NewFund is a fund to create.
type NewFund struct {
	NodeBase
	Kind                            string
	Size                            int64
	ManagerID, SponsorID, ProgramID *int64
	VintageYear                     *int
}

// CreateFund creates a fund.
// Replays only an earlier create by ctx's viewer's API key (idempotent).
func (s *Store) CreateFund(ctx context.Context, in NewFund) (Written, error) {
	refs := []reference{opt("input.managerId", "organizations", in.ManagerID), opt("input.sponsorId", "organizations", in.SponsorID), optActive("input.programId", "programs", in.ProgramID)}
	c := append(in.cols(), col{"kind", in.Kind}, col{"size_krw", in.Size}, col{"manager_id", in.ManagerID}, col{"sponsor_id", in.SponsorID},
		col{"program_id", in.ProgramID}, col{"vintage_year", in.VintageYear})
	return s.createNode(ctx, fundsTable, "createFund", in.NodeBase, in, refs, c, nil)
}

// FundChanges is a partial update of a fund.
type FundChanges struct {
	NameChanges
	Size                            Field[int64]
	ManagerID, SponsorID, ProgramID Field[*int64]
	VintageYear                     Field[*int]
}

// UpdateFund applies changes if the fund is still at version.
func (s *Store) UpdateFund(ctx context.Context, id int64, version int, ch FundChanges) error {
	c := ch.cols()
	setIf(&c, "size_krw", ch.Size)
	setIf(&c, "manager_id", ch.ManagerID)
	setIf(&c, "sponsor_id", ch.SponsorID)
	setIf(&c, "program_id", ch.ProgramID)
	setIf(&c, "vintage_year", ch.VintageYear)
	refs := []reference{opt("input.managerId", "organizations", ch.ManagerID.Value), opt("input.sponsorId", "organizations", ch.SponsorID.Value), optActive("input.programId", "programs", ch.ProgramID.Value)}
	return s.updateNode(ctx, fundsTable, "updateFund", id, version, refs, c, ch.NameChanges, nil)
}
