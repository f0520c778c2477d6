package model_test

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"startupgraph/internal/apperr"
	"startupgraph/internal/model"
)

func TestKRW(t *testing.T) {
	cases := []struct {
		name string
		in   any
		want model.KRW
		ok   bool
	}{
		{"int64 beyond 32 bits", int64(36_500_000_000), 36_500_000_000, true},
		{"json number", json.Number("1950000000"), 1_950_000_000, true},
		{"string of digits", "36500000000", 36_500_000_000, true},
		{"the bound", json.Number("1000000000000000"), model.MaxKRW, true},
		{"minus the bound", int64(-1_000_000_000_000_000), -model.MaxKRW, true},
		{"above the bound", json.Number("1000000000000001"), 0, false},
		{"above 2^53 as a string", "9007199254740993", 0, false},
		{"the issue's amount", int64(9_000_000_000_000_000_000), 0, false},
		{"below minus the bound", "-1000000000000001", 0, false},
		{"float above the bound", 1e16, 0, false},
		{"whole float", float64(1e9), 1_000_000_000, true},
		{"fraction", 10.5, 0, false},
		{"not a number", "lots", 0, false},
		{"beyond int64", "99999999999999999999", 0, false},
		{"bool", true, 0, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var k model.KRW
			err := k.UnmarshalGQL(tc.in)
			if tc.ok && (err != nil || k != tc.want) {
				t.Errorf("got %d, %v; want %d", k, err, tc.want)
			}
			var input *apperr.InputError
			if !tc.ok && !errors.As(err, &input) {
				t.Errorf("got %v, want an input error", err)
			}
		})
	}
	var sb strings.Builder
	model.KRW(36_500_000_000).MarshalGQL(&sb)
	if sb.String() != "36500000000" {
		t.Errorf("marshal: %s", sb.String())
	}
}

func TestKRWTotal(t *testing.T) {
	cases := []struct {
		in   string
		want model.KRW
		err  error
	}{
		{"0", 0, nil},
		{"36500000000", 36_500_000_000, nil},
		{"9007199254740991", model.MaxExactKRW, nil},
		{"9007199254740992", 0, apperr.ErrOutOfRange},
		{"18000000000000000000", 0, apperr.ErrOutOfRange},
		{"-18000000000000000000", 0, apperr.ErrOutOfRange},
	}
	for _, tc := range cases {
		got, err := model.KRWTotal(tc.in)
		if got != tc.want || !errors.Is(err, tc.err) {
			t.Errorf("%s: got %d, %v; want %d, %v", tc.in, got, err, tc.want, tc.err)
		}
	}
}
