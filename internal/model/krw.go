package model

import (
	"encoding/json"
	"fmt"
	"io"
	"math"
	"math/big"
	"strconv"

	"startupgraph/internal/apperr"
)

// KRW is an amount of Korean won. Amounts exceed 32 bits (the Creative
// Growth Venture Fund is 36,500,000,000 KRW), so the GraphQL scalar is
// 64-bit: it is written as a JSON number and read from a JSON number or a
// string of digits.
type KRW int64

// MaxKRW is the largest amount an input may carry, either sign:
// 1,000,000,000,000,000 KRW (1,000조 원), more than a third of Korea's
// yearly GDP and a hundred times the largest fund the city deals with.
// It is far below 2^53, so a client whose numbers are doubles
// (JavaScript) reads every amount exactly, and nine of them still sum
// exactly.
const MaxKRW KRW = 1_000_000_000_000_000

// MaxExactKRW is the largest total the API writes: 2^53-1, the largest
// integer a double holds exactly. A sum beyond it is refused with
// apperr.ErrOutOfRange rather than written as a number a JavaScript
// client would misread.
const MaxExactKRW KRW = 1<<53 - 1

// errKRW is the problem every malformed amount reports.
var errKRW = apperr.InvalidValue("KRW must be a whole number of won from -%d to %d", MaxKRW, MaxKRW)

// MarshalGQL writes the amount as a JSON integer.
func (k KRW) MarshalGQL(w io.Writer) { _, _ = io.WriteString(w, strconv.FormatInt(int64(k), 10)) }

// UnmarshalGQL reads an integer amount of at most MaxKRW either way;
// fractions and larger values are refused rather than rounded or stored.
func (k *KRW) UnmarshalGQL(v any) error {
	var n int64
	switch x := v.(type) {
	case int64:
		n = x
	case int:
		n = int64(x)
	case json.Number:
		p, err := strconv.ParseInt(string(x), 10, 64)
		if err != nil {
			return errKRW
		}
		n = p
	case string:
		p, err := strconv.ParseInt(x, 10, 64)
		if err != nil {
			return errKRW
		}
		n = p
	case float64:
		if x != math.Trunc(x) || math.Abs(x) > float64(MaxKRW) {
			return errKRW
		}
		n = int64(x)
	default:
		return apperr.InvalidValue("KRW must be a number or a string of digits")
	}
	if n > int64(MaxKRW) || n < -int64(MaxKRW) {
		return errKRW
	}
	*k = KRW(n)
	return nil
}

// KRWTotal converts a sum computed by the database as an exact decimal
// (numeric) into a KRW, refusing with apperr.ErrOutOfRange a total beyond
// ±MaxExactKRW instead of overflowing or rounding it.
func KRWTotal(decimal string) (KRW, error) {
	n, ok := new(big.Int).SetString(decimal, 10)
	if !ok {
		return 0, fmt.Errorf("KRW total %q is not a whole number", decimal)
	}
	if n.CmpAbs(big.NewInt(int64(MaxExactKRW))) > 0 {
		return 0, fmt.Errorf("%w: KRW total %s exceeds %d", apperr.ErrOutOfRange, decimal, MaxExactKRW)
	}
	return KRW(n.Int64()), nil
}
