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
	"fmt"
	"path"
	"slices"
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
		text := strings.TrimSpace(strings.TrimPrefix(line, "#"))
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
