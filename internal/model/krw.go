package model

import (
	"encoding/json"
	"io"
	"math"
	"strconv"

	"startupgraph/internal/apperr"
)

// KRW is an amount of Korean won. Amounts exceed 32 bits (the Creative
// Growth Venture Fund is 36,500,000,000 KRW), so the GraphQL scalar is
// 64-bit: it is written as a JSON number and read from a JSON number or a
// string of digits (for clients whose numbers are doubles, any amount above
// 2^53 should be sent as a string).
type KRW int64

// MarshalGQL writes the amount as a JSON integer.
func (k KRW) MarshalGQL(w io.Writer) { _, _ = io.WriteString(w, strconv.FormatInt(int64(k), 10)) }

// UnmarshalGQL reads an integer amount; fractions and out-of-range values
// are refused rather than rounded.
func (k *KRW) UnmarshalGQL(v any) error {
	switch x := v.(type) {
	case int64:
		*k = KRW(x)
	case int:
		*k = KRW(x)
	case json.Number:
		n, err := strconv.ParseInt(string(x), 10, 64)
		if err != nil {
			return apperr.InvalidValue("KRW must be a whole number of won within 64 bits")
		}
		*k = KRW(n)
	case string:
		n, err := strconv.ParseInt(x, 10, 64)
		if err != nil {
			return apperr.InvalidValue("KRW must be a whole number of won within 64 bits")
		}
		*k = KRW(n)
	case float64:
		if x != math.Trunc(x) || x > math.MaxInt64 || x < math.MinInt64 {
			return apperr.InvalidValue("KRW must be a whole number of won within 64 bits")
		}
		*k = KRW(x)
	default:
		return apperr.InvalidValue("KRW must be a number or a string of digits")
	}
	return nil
}
