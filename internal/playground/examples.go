package playground

import (
	"cmp"
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"startupgraph/examples"
)

// ExamplesAsset is the name of the asset listing the example operations
// the page's Examples plugin offers (served under AssetPrefix, like the
// embedded files).
const ExamplesAsset = "examples.json"

// offered is one example as the Examples plugin lists it.
type offered struct {
	Name   string `json:"name"`             // the file name without .graphql
	Number int    `json:"number,omitempty"` // an issue #17 question's number
	Title  string `json:"title"`            // the description; for a question, without "Question N: "
	Who    string `json:"who"`              // who asks it, and with which key
	Group  string `json:"group"`            // who asks it, shortly: the list's headings
	// Operation is what goes into the editor: the file without its test lines.
	Operation string `json:"operation"`
	// Variables go into the Variables tab when the example needs no ids;
	// Hint says which ids to put there when it does (they differ per
	// database, so none is made up).
	Variables string `json:"variables,omitempty"`
	Hint      string `json:"hint,omitempty"`
}

// examplesJSON returns the list the Examples plugin shows: issue #17's
// questions first, by number, then the others grouped by who asks them
// (groups in the order they first appear, by file name).
func examplesJSON(all []examples.Example) ([]byte, error) {
	var questions, others []offered
	for _, e := range all {
		o := offered{Name: e.Name, Number: e.Number(), Title: e.Title, Who: e.Who, Group: asker(e.Who), Operation: e.Operation()}
		if o.Number > 0 {
			if _, rest, ok := strings.Cut(o.Title, ": "); ok && strings.HasPrefix(o.Title, "Question ") {
				o.Title = rest
			}
		}
		holes, err := e.Placeholders()
		if err != nil {
			return nil, err
		}
		switch {
		case len(holes) > 0:
			o.Hint = hint(holes)
		case e.Variables != "":
			var v any
			if err := json.Unmarshal([]byte(e.Variables), &v); err != nil {
				return nil, fmt.Errorf("examples/%s.graphql: test-variables: %w", e.Name, err)
			}
			pretty, _ := json.MarshalIndent(v, "", "  ")
			o.Variables = string(pretty)
		}
		if o.Number > 0 {
			questions = append(questions, o)
		} else {
			others = append(others, o)
		}
	}
	slices.SortStableFunc(questions, func(a, b offered) int { return cmp.Compare(a.Number, b.Number) })
	first := map[string]int{} // group → position of its first example
	for i, o := range others {
		if _, ok := first[o.Group]; !ok {
			first[o.Group] = i
		}
	}
	slices.SortStableFunc(others, func(a, b offered) int { return cmp.Compare(first[a.Group], first[b.Group]) })
	return json.Marshal(struct {
		Examples []offered `json:"examples"`
	}{append(append(make([]offered, 0, len(all)), questions...), others...)}) // [], not null, when there are none
}

// asker is the "who" of a Who: line without its parenthesis or the rest
// after a semicolon: "analysts (ANALYST key)." → "analysts".
func asker(who string) string {
	if i := strings.IndexAny(who, "(;"); i >= 0 {
		who = who[:i]
	}
	return strings.TrimRight(strings.TrimSpace(who), ".")
}

// hint says which ids an example needs before it can run, naming the
// nodes its test uses in the demo data.
func hint(holes []examples.Placeholder) string {
	var vars []string
	for i := 0; i < len(holes); {
		j := i + 1
		for j < len(holes) && holes[j].Variable == holes[i].Variable {
			j++
		}
		var nodes []string
		for _, p := range holes[i:j] {
			nodes = append(nodes, p.Type+" "+p.Key)
		}
		if len(nodes) == 1 {
			vars = append(vars, "$"+holes[i].Variable+": the id of "+nodes[0])
		} else {
			vars = append(vars, "$"+holes[i].Variable+": the ids of "+strings.Join(nodes, " and "))
		}
		i = j
	}
	return "Needs ids in the Variables tab; none is filled in. In the demo data, " + strings.Join(vars, "; ") +
		". The comments above the query say where to find ids."
}
