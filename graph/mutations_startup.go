package graph

import (
	"context"

	"startupgraph/graph/generated"
	"startupgraph/internal/globalid"
	"startupgraph/internal/model"
	"startupgraph/internal/store"
)

// The mutations of a startup node: create, update, archive, move stage.

func (r *mutationResolver) createStartup(ctx context.Context, in generated.CreateStartupInput) (*generated.StartupPayload, error) {
	a := r.args(ctx)
	ns := store.NewStartup{
		IdempotencyKey:     a.idempotencyKey(in.IdempotencyKey),
		Key:                in.Key,
		NameKo:             a.text("input.nameKo", in.NameKo, 1, 200),
		NameEn:             a.text("input.nameEn", in.NameEn, 1, 200),
		DescriptionKo:      a.optText("input.descriptionKo", in.DescriptionKo, 2000),
		DescriptionEn:      a.optText("input.descriptionEn", in.DescriptionEn, 2000),
		Stage:              string(model.GrowthStageIdea),
		SectorIDs:          a.sectorsOrKeys(in.SectorIds, in.SectorKeys),
		AllowDuplicateName: in.AllowDuplicateName != nil && *in.AllowDuplicateName,
	}
	if !keyPattern.MatchString(in.Key) {
		a.problems.Add("input.key", "must be lowercase letters, digits and hyphens (up to 80), starting with a letter or digit")
	}
	if in.Stage != nil {
		ns.Stage = string(*in.Stage)
	}
	if in.FoundedOn != nil {
		d := a.pastDate("input.foundedOn", in.FoundedOn)
		ns.FoundedOn = &d
	}
	ns.FacilityID = a.optNode("input.facilityId", globalid.Facility, in.FacilityID, in.FacilityKey)
	if err := a.err(); err != nil {
		return nil, err
	}
	w, err := r.Store.CreateStartup(ctx, ns)
	if err != nil {
		return nil, err
	}
	return startupPayload(ctx, w.ID, w.Replayed)
}

func (r *mutationResolver) updateStartup(ctx context.Context, in generated.UpdateStartupInput) (*generated.StartupPayload, error) {
	a := r.args(ctx)
	id := a.node("input.id", globalid.Startup, in.ID, in.Key)
	names := a.names(in.NameKo, in.NameEn, in.AllowDuplicateName)
	c := store.StartupChanges{NameKo: names.NameKo, NameEn: names.NameEn, AllowDuplicateName: names.AllowDuplicateName}
	if v, set := in.DescriptionKo.ValueOK(); set {
		c.DescriptionKo = store.Field[*string]{Set: true, Value: a.optText("input.descriptionKo", v, 2000)}
	}
	if v, set := in.DescriptionEn.ValueOK(); set {
		c.DescriptionEn = store.Field[*string]{Set: true, Value: a.optText("input.descriptionEn", v, 2000)}
	}
	if v, set := in.FoundedOn.ValueOK(); set {
		c.FoundedOn.Set = true
		if v != nil {
			d := a.pastDate("input.foundedOn", v)
			c.FoundedOn.Value = &d
		}
	}
	c.FacilityID = a.optNodeChange("input.facilityId", globalid.Facility, in.FacilityID, in.FacilityKey)
	if v, set := in.SectorIds.ValueOK(); set || in.SectorKeys != nil {
		if !set {
			v = nil
		}
		c.SectorIDs = store.Field[[]int64]{Set: true, Value: a.sectorsOrKeys(v, in.SectorKeys)}
	}
	version := a.version(in.ExpectedVersion)
	if err := a.err(); err != nil {
		return nil, err
	}
	if err := r.Store.UpdateStartup(ctx, id, version, c); err != nil {
		return nil, err
	}
	return startupPayload(ctx, id, false)
}

func (r *mutationResolver) archiveStartup(ctx context.Context, in generated.ArchiveStartupInput) (*generated.StartupPayload, error) {
	a := r.args(ctx)
	id, version := a.node("input.id", globalid.Startup, in.ID, in.Key), a.version(in.ExpectedVersion)
	if err := a.err(); err != nil {
		return nil, err
	}
	if err := r.Store.ArchiveStartup(ctx, id, version); err != nil {
		return nil, err
	}
	return startupPayload(ctx, id, false)
}

func (r *mutationResolver) moveStartupStage(ctx context.Context, in generated.MoveStartupStageInput) (*generated.StartupPayload, error) {
	a := r.args(ctx)
	id, version := a.node("input.id", globalid.Startup, in.ID, in.Key), a.version(in.ExpectedVersion)
	on := a.pastDate("input.changedOn", in.ChangedOn)
	note := a.optText("input.note", in.Note, 500)
	var reason string
	if in.Reason != nil {
		reason = a.text("input.reason", *in.Reason, 1, 500)
	}
	if err := a.err(); err != nil {
		return nil, err
	}
	if err := r.Store.MoveStartupStage(ctx, id, version, string(in.Stage), on, note, reason); err != nil {
		return nil, err
	}
	return startupPayload(ctx, id, false)
}
