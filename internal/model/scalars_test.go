package model_test

import (
	"encoding/json"
	"errors"
	"testing"

	"startupgraph/internal/apperr"
	"startupgraph/internal/model"
)

func TestScalarInputs(t *testing.T) {
	intOf := func(v any) error { _, err := model.UnmarshalInt(v); return err }
	strOf := func(v any) error { _, err := model.UnmarshalString(v); return err }
	timeOf := func(v any) error { _, err := model.UnmarshalDateTime(v); return err }
	cases := []struct {
		name  string
		parse func(any) error
		in    any
		ok    bool
	}{
		{"Int max", intOf, json.Number("2147483647"), true},
		{"Int min", intOf, int64(-2147483648), true},
		{"Int above 32 bits", intOf, json.Number("2147483648"), false},
		{"Int below 32 bits", intOf, int64(-2147483649), false},
		{"Int beyond 64 bits", intOf, json.Number("99999999999999999999"), false},
		{"Int as a string", intOf, "5", false},
		{"String", strOf, "Smart Venture Campus 스마트", true},
		{"String with NUL", strOf, "a\x00b", false},
		{"String not UTF-8", strOf, "a\xffb", false},
		{"DateTime", timeOf, "2017-03-02T09:00:00+09:00", true},
		{"DateTime without offset", timeOf, "2017-03-02 09:00:00", false},
		{"DateTime empty", timeOf, "", false},
		{"DateTime nonsense", timeOf, "yesterday", false},
		{"DateTime year 0", timeOf, "0000-01-01T00:00:00Z", false},
		{"DateTime number", timeOf, int64(1), false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.parse(tc.in)
			var input *apperr.InputError
			if tc.ok && err != nil {
				t.Errorf("refused: %v", err)
			}
			if !tc.ok && !errors.As(err, &input) {
				t.Errorf("got %v, want an input error", err)
			}
		})
	}
}

func TestIntTotal(t *testing.T) {
	if n, err := model.IntTotal(2147483647); n != 2147483647 || err != nil {
		t.Errorf("max: %d %v", n, err)
	}
	if _, err := model.IntTotal(2147483648); !errors.Is(err, apperr.ErrOutOfRange) {
		t.Errorf("above: %v", err)
	}
}
