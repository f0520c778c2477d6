// Package examples holds the ready-made operations of this folder,
// embedded in the binary: the playground offers them, the benchmark times
// the questions among them (question-*.graphql, the relationship questions
// of issue #17), and graph/examples_test.go runs every one against the
// demo data, so none goes stale.
//
// Each file starts with comment lines: a description, then "Who: " (who
// asks it and which key it needs) and lines for the test ("test-role: ",
// "test-variables: ", "test-expect: ").
package examples

import (
	"embed"
	"encoding/json"
	"fmt"
	"maps"
	"path"
	"regexp"
	"slices"
	"strconv"
	"strings"
)

//go:embed *.graphql
var files embed.FS

// Example is one operation and what its header says of it.
type Example struct {
	Name  string // the file name without .graphql, e.g. "question-01-bio-teams-without-mentor"
	Title string // the description, in one line
	Who   string // who asks it, and with which key
	// Role, Variables (JSON) and Expect are the test's: the role to ask
	// as, the variables ("Type:key" stands for that node's id) and what
	// the answer holds.
	Role, Variables string
	Expect          []string
	Query           string // the whole file, comments included
}

// IsQuestion reports whether e is one of issue #17's relationship questions.
func (e Example) IsQuestion() bool { return strings.HasPrefix(e.Name, "question-") }

// Number returns a question's number (1 for question-01-…), or 0 for an
// example that is not one of issue #17's questions.
func (e Example) Number() int {
	if !e.IsQuestion() {
		return 0
	}
	digits, _, _ := strings.Cut(strings.TrimPrefix(e.Name, "question-"), "-")
	n, err := strconv.Atoi(digits)
	if err != nil || n < 1 {
		return 0
	}
	return n
}

// Operation returns the file as a user should see it: the query with its
// description, Who: and Variables: comments, without the lines that are
// only for the test (# test-role:, # test-variables:, # test-expect:).
func (e Example) Operation() string {
	var b strings.Builder
	header := true
	for _, line := range strings.SplitAfter(e.Query, "\n") {
		header = header && strings.HasPrefix(line, "#")
		if header && strings.HasPrefix(headerText(line), "test-") {
			continue
		}
		b.WriteString(line)
	}
	return b.String()
}

// headerText is a header comment line's text, without the # and spaces.
func headerText(line string) string {
	return strings.TrimSpace(strings.TrimPrefix(line, "#"))
}

// Placeholder is one "Type:key" stand-in in an example's test variables:
// the variable needs the id of the Type node with that key.
type Placeholder struct{ Variable, Type, Key string }

// placeholderRE is what a "Type:key" stand-in looks like: a GraphQL type
// name, a colon, a key (lower case, digits and dashes).
var placeholderRE = regexp.MustCompile(`^([A-Z][A-Za-z]*):([a-z0-9][a-z0-9-]*)$`)

// Placeholders returns the "Type:key" stand-ins of the test variables, by
// variable name and in list order: the ids a user has to look up before
// running the example. Variables without stand-ins (a search term) need
// nothing and are not listed.
func (e Example) Placeholders() ([]Placeholder, error) {
	if e.Variables == "" {
		return nil, nil
	}
	var vars map[string]any
	if err := json.Unmarshal([]byte(e.Variables), &vars); err != nil {
		return nil, fmt.Errorf("examples/%s.graphql: test-variables: %w", e.Name, err)
	}
	var out []Placeholder
	var walk func(name string, v any)
	walk = func(name string, v any) {
		switch x := v.(type) {
		case string:
			if m := placeholderRE.FindStringSubmatch(x); m != nil {
				out = append(out, Placeholder{Variable: name, Type: m[1], Key: m[2]})
			}
		case []any:
			for _, item := range x {
				walk(name, item)
			}
		case map[string]any:
			for _, k := range slices.Sorted(maps.Keys(x)) {
				walk(name, x[k])
			}
		}
	}
	for _, name := range slices.Sorted(maps.Keys(vars)) {
		walk(name, vars[name])
	}
	return out, nil
}

// All returns every example, by file name.
func All() ([]Example, error) {
	entries, err := files.ReadDir(".")
	if err != nil {
		return nil, err
	}
	var out []Example
	for _, entry := range entries {
		src, err := files.ReadFile(entry.Name())
		if err != nil {
			return nil, err
		}
		e, err := parse(strings.TrimSuffix(entry.Name(), path.Ext(entry.Name())), string(src))
		if err != nil {
			return nil, err
		}
		out = append(out, e)
	}
	slices.SortFunc(out, func(a, b Example) int { return strings.Compare(a.Name, b.Name) })
	return out, nil
}

// Questions returns issue #17's relationship questions, in their order.
func Questions() ([]Example, error) {
	all, err := All()
	return slices.DeleteFunc(all, func(e Example) bool { return !e.IsQuestion() }), err
}

func parse(name, src string) (Example, error) {
	e := Example{Name: name, Query: src}
	var title []string
	for _, line := range strings.Split(src, "\n") {
		if !strings.HasPrefix(line, "#") {
			break
		}
		text := headerText(line)
		k, v, _ := strings.Cut(text, ": ")
		switch k {
		case "Who":
			e.Who = v
		case "test-role":
			e.Role = v
		case "test-variables":
			e.Variables = v
		case "test-expect":
			e.Expect = append(e.Expect, v)
		default:
			if e.Who == "" {
				title = append(title, text)
			}
		}
	}
	e.Title = strings.Join(title, " ")
	if e.Title == "" || e.Who == "" || e.Role == "" || len(e.Expect) == 0 {
		return e, fmt.Errorf("examples/%s.graphql: the header needs a description, Who:, test-role: and test-expect:", name)
	}
	return e, nil
}
