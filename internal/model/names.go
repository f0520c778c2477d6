// Package model holds the domain types the store returns and the GraphQL
// layer serves. They carry no database tags: the store converts its own row
// types at its edge.
package model

import (
	"context"
	"fmt"
	"io"

	"github.com/99designs/gqlgen/graphql"

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
func (n Names) Name(locale *i18n.Locale) Localized {
	return Localized{Ko: n.NameKo, En: n.NameEn, Locale: locale}
}

// Descriptions is an optional bilingual description.
type Descriptions struct {
	DescriptionKo *string
	DescriptionEn *string
}

// Description returns the description in the requested or default locale.
func (d Descriptions) Description(locale *i18n.Locale) Localized {
	return optionalText(d.DescriptionKo, d.DescriptionEn, locale)
}

// optionalText is a nullable bilingual text: null when the chosen
// language has none.
func optionalText(ko, en *string, locale *i18n.Locale) Localized {
	t := Localized{Locale: locale, Nullable: true}
	if ko != nil {
		t.Ko = *ko
	}
	if en != nil {
		t.En = *en
	}
	return t
}

// Localized is a bilingual text as a GraphQL String: the field's explicit
// locale argument picks the language, or else the request's default
// (Accept-Language, then English). The request's default is read from the
// context only when the response is written, so the name and description
// fields need no context of their own: gqlgen runs them inline, where a
// field method taking a context is scheduled as a concurrent task (a
// closure, and for objects with another such field a goroutine, per
// object).
type Localized struct {
	Ko, En string
	Locale *i18n.Locale
	// Nullable texts are written as null when the chosen language's text
	// is empty.
	Nullable bool
}

// In returns the text in the language the request asks for.
func (t Localized) In(ctx context.Context) string {
	return i18n.Pick(ctx, t.Locale, t.Ko, t.En)
}

// MarshalGQLContext writes the text in the request's language.
func (t Localized) MarshalGQLContext(ctx context.Context, w io.Writer) error {
	s := t.In(ctx)
	if s == "" && t.Nullable {
		graphql.Null.MarshalGQL(w)
		return nil
	}
	graphql.MarshalString(s).MarshalGQL(w)
	return nil
}

// UnmarshalGQLContext refuses input: a Localized is only ever output (gqlgen
// binds a String to a Go type through both methods).
func (t *Localized) UnmarshalGQLContext(context.Context, any) error {
	return fmt.Errorf("a localized text is output only")
}
