package export

import "testing"

// TestAppendColumn: column letters as spreadsheets write them.
func TestAppendColumn(t *testing.T) {
	for i, want := range map[int]string{0: "A", 25: "Z", 26: "AA", 51: "AZ", 52: "BA", 701: "ZZ", 702: "AAA", 16383: "XFD"} {
		if got := string(appendColumn(nil, i)); got != want {
			t.Errorf("column %d is %q, want %q", i, got, want)
		}
	}
}
