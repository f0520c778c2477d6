// Package model holds the domain types the store returns and the GraphQL
// layer serves. They carry no database tags: the store converts its own row
// types at its edge.
package model

import (
	"context"

	"startupgraph/internal/i18n"
)

// Names is the bilingual name every node has. Embedding it gives a type the
// GraphQL fields name(locale), nameKo and nameEn.
type Names struct {
	NameKo string
	NameEn string
}

// Name returns the name in the requested locale, or in the request's
// default locale (Accept-Language) when locale is nil.
func (n Names) Name(ctx context.Context, locale *i18n.Locale) string {
	return i18n.Pick(ctx, locale, n.NameKo, n.NameEn)
}

// Descriptions is an optional bilingual description.
type Descriptions struct {
	DescriptionKo *string
	DescriptionEn *string
}

// Description returns the description in the requested or default locale.
func (d Descriptions) Description(ctx context.Context, locale *i18n.Locale) *string {
	ko, en := "", ""
	if d.DescriptionKo != nil {
		ko = *d.DescriptionKo
	}
	if d.DescriptionEn != nil {
		en = *d.DescriptionEn
	}
	if s := i18n.Pick(ctx, locale, ko, en); s != "" {
		return &s
	}
	return nil
}
