package i18n_test

import (
	"context"
	"testing"

	"startupgraph/internal/i18n"
)

func TestFromAcceptLanguage(t *testing.T) {
	cases := []struct {
		header string
		want   i18n.Locale
	}{
		{"", i18n.EN},
		{"ko", i18n.KO},
		{"ko-KR,ko;q=0.9,en-US;q=0.8,en;q=0.7", i18n.KO},
		{"en-US,en;q=0.9,ko;q=0.8", i18n.EN},
		{"ko;q=0.3, en;q=0.7", i18n.EN},
		{"fr-FR, de", i18n.EN},
		{"fr, ko;q=0.5", i18n.KO},
		{"ko;q=abc", i18n.EN},
		{"KO-kr", i18n.KO},
	}
	for _, tc := range cases {
		t.Run(tc.header, func(t *testing.T) {
			if got := i18n.FromAcceptLanguage(tc.header); got != tc.want {
				t.Errorf("got %s, want %s", got, tc.want)
			}
		})
	}
}

func TestPick(t *testing.T) {
	ko, en := i18n.KO, i18n.EN
	ctx := i18n.With(context.Background(), i18n.KO)
	if got := i18n.Pick(ctx, nil, "겐트대", "Ghent University"); got != "겐트대" {
		t.Errorf("default from context: %s", got)
	}
	if got := i18n.Pick(ctx, &en, "겐트대", "Ghent University"); got != "Ghent University" {
		t.Errorf("explicit EN: %s", got)
	}
	if got := i18n.Pick(context.Background(), &ko, "겐트대", "Ghent University"); got != "겐트대" {
		t.Errorf("explicit KO: %s", got)
	}
	if got := i18n.Pick(context.Background(), nil, "겐트대", "Ghent University"); got != "Ghent University" {
		t.Errorf("no preference: %s", got)
	}
}
