package globalid_test

import (
	"errors"
	"testing"

	"startupgraph/internal/apperr"
	"startupgraph/internal/globalid"
)

func TestRoundTrip(t *testing.T) {
	for _, typ := range []globalid.Type{globalid.University, globalid.Fund, globalid.Facility} {
		gid := globalid.Encode(typ, 9_000_000_000)
		got, id, err := globalid.Decode("id", gid)
		if err != nil || got != typ || id != 9_000_000_000 {
			t.Errorf("%s: decoded %s %d %v", typ, got, id, err)
		}
	}
}

func TestMalformed(t *testing.T) {
	cases := map[string]string{
		"not base64":    "%%%",
		"no separator":  globalid.Encode("University", 1)[:8],
		"unknown type":  "U3BhY2VzaGlwOjE",    // Spaceship:1
		"negative id":   "VW5pdmVyc2l0eTotMQ", // University:-1
		"id not number": "VW5pdmVyc2l0eTp4",   // University:x
		"empty":         "",
		"stray bits":    "U3RhcnR1cDozNB",  // Startup:34 is U3RhcnR1cDozNA
		"leading zero":  "U3RhcnR1cDowMzQ", // Startup:034
		"padded":        "U3RhcnR1cDozNA==",
	}
	for name, gid := range cases {
		t.Run(name, func(t *testing.T) {
			_, _, err := globalid.Decode("id", gid)
			var input *apperr.InputError
			if !errors.As(err, &input) || input.Problems[0].Field != "id" {
				t.Errorf("got %v, want an input error naming the field", err)
			}
		})
	}
}

func TestDecodeAsWrongType(t *testing.T) {
	_, err := globalid.DecodeAs("fundId", globalid.Fund, globalid.Encode(globalid.University, 3))
	var input *apperr.InputError
	if !errors.As(err, &input) || input.Problems[0].Field != "fundId" {
		t.Errorf("got %v", err)
	}
	if id, err := globalid.DecodeAs("fundId", globalid.Fund, globalid.Encode(globalid.Fund, 3)); err != nil || id != 3 {
		t.Errorf("right type: %d %v", id, err)
	}
}
