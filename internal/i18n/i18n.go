// Package i18n decides which of a node's two names (Korean or English) a
// request reads by default: the client's explicit `locale` argument wins,
// then its Accept-Language header, then English.
package i18n

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
)

// Locale is a language the API has names in. Its values match the GraphQL
// enum Locale.
type Locale string

// The supported locales.
const (
	KO Locale = "KO"
	EN Locale = "EN"
)

// Default is used when a request expresses no usable preference.
const Default = EN

// IsValid reports whether l is a supported locale.
func (l Locale) IsValid() bool { return l == KO || l == EN }

type ctxKey struct{}

// With returns a context whose default locale is l.
func With(ctx context.Context, l Locale) context.Context {
	return context.WithValue(ctx, ctxKey{}, l)
}

// From returns the request's default locale.
func From(ctx context.Context) Locale {
	if l, ok := ctx.Value(ctxKey{}).(Locale); ok {
		return l
	}
	return Default
}

// Pick returns the Korean or English text for the explicit locale, or for
// the request's default when explicit is nil.
func Pick(ctx context.Context, explicit *Locale, ko, en string) string {
	l := From(ctx)
	if explicit != nil && explicit.IsValid() {
		l = *explicit
	}
	if l == KO {
		return ko
	}
	return en
}

// FromAcceptLanguage returns the supported locale the header prefers most
// (by q-value, then order), or Default.
func FromAcceptLanguage(header string) Locale {
	best, bestQ := Default, 0.0
	for _, part := range strings.Split(header, ",") {
		tag, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		q := 1.0
		if v, ok := strings.CutPrefix(strings.TrimSpace(params), "q="); ok {
			parsed, err := strconv.ParseFloat(v, 64)
			if err != nil {
				continue
			}
			q = parsed
		}
		lang, _, _ := strings.Cut(strings.ToLower(tag), "-")
		var l Locale
		switch lang {
		case "ko":
			l = KO
		case "en":
			l = EN
		default:
			continue
		}
		if q > bestQ {
			best, bestQ = l, q
		}
	}
	return best
}

// Middleware stores the Accept-Language preference in the request context.
func Middleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		l := FromAcceptLanguage(r.Header.Get("Accept-Language"))
		next.ServeHTTP(w, r.WithContext(With(r.Context(), l)))
	})
}

// MarshalGQL writes l as a GraphQL enum value.
func (l Locale) MarshalGQL(w io.Writer) { _, _ = io.WriteString(w, strconv.Quote(string(l))) }

// UnmarshalGQL reads a GraphQL enum value.
func (l *Locale) UnmarshalGQL(v any) error {
	s, _ := v.(string)
	if !Locale(s).IsValid() {
		return fmt.Errorf("%q is not a valid Locale", s)
	}
	*l = Locale(s)
	return nil
}
