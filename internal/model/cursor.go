package model

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"

	"github.com/99designs/gqlgen/graphql"
)

// Cursor is an edge's keyset position in its list: which list and
// ordering it belongs to (Tag), the sort value as text (nil when the list
// is ordered by row id alone) and the row id that breaks ties. Clients see
// it as an opaque string, encoded only when a response includes it: most
// queries select nodes and never pay for their cursors.
type Cursor struct {
	Tag   string
	Value *string
	ID    int64
}

// maxCursorLen bounds the cursors ParseCursor reads.
const maxCursorLen = 512

// String encodes the cursor: base64url of the JSON array [tag, value, id].
func (c Cursor) String() string {
	v := any(nil)
	if c.Value != nil {
		v = *c.Value
	}
	b, _ := json.Marshal([]any{c.Tag, v, c.ID})
	return base64.RawURLEncoding.EncodeToString(b)
}

// ParseCursor decodes a cursor String encoded.
func ParseCursor(s string) (Cursor, error) {
	if len(s) > maxCursorLen {
		return Cursor{}, errors.New("cursor too long")
	}
	raw, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		return Cursor{}, err
	}
	var parts []any
	if err := json.Unmarshal(raw, &parts); err != nil || len(parts) != 3 {
		return Cursor{}, errors.New("malformed cursor")
	}
	tag, ok1 := parts[0].(string)
	id, ok2 := parts[2].(float64)
	if !ok1 || !ok2 || id < 1 || id != float64(int64(id)) {
		return Cursor{}, errors.New("malformed cursor")
	}
	c := Cursor{Tag: tag, ID: int64(id)}
	if parts[1] != nil {
		v, ok := parts[1].(string)
		if !ok || CheckText(v) != nil { // the value reaches SQL as text
			return Cursor{}, errors.New("malformed cursor")
		}
		c.Value = &v
	}
	return c, nil
}

// MarshalGQL writes the encoded cursor as a GraphQL String.
func (c Cursor) MarshalGQL(w io.Writer) { graphql.MarshalString(c.String()).MarshalGQL(w) }

// UnmarshalGQL reads an encoded cursor (gqlgen binds a String to a Go type
// through both methods; the schema's cursor arguments are plain strings).
func (c *Cursor) UnmarshalGQL(v any) error {
	s, ok := v.(string)
	if !ok {
		return errors.New("a cursor is a string")
	}
	parsed, err := ParseCursor(s)
	if err != nil {
		return err
	}
	*c = parsed
	return nil
}
