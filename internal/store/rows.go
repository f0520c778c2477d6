package store

import "startupgraph/internal/model"

// nodeRow holds the columns every node table shares (see the conventions
// at the top of the first migration).
type nodeRow struct {
	ID            int64   `db:"id"`
	Key           string  `db:"key"`
	NameKo        string  `db:"name_ko"`
	NameEn        string  `db:"name_en"`
	DescriptionKo *string `db:"description_ko"`
	DescriptionEn *string `db:"description_en"`
	Provenance    string  `db:"provenance"`
}

func (r nodeRow) names() model.Names { return model.Names{NameKo: r.NameKo, NameEn: r.NameEn} }

func (r nodeRow) descriptions() model.Descriptions {
	return model.Descriptions{DescriptionKo: r.DescriptionKo, DescriptionEn: r.DescriptionEn}
}

// convertAll maps a slice of rows to domain values.
func convertAll[R any, M any](rows []R, conv func(R) M) []M {
	out := make([]M, len(rows))
	for i, r := range rows {
		out[i] = conv(r)
	}
	return out
}
