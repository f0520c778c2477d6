package playground

import (
	"encoding/json"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"

	"startupgraph/examples"
)

var examplesAttrRE = regexp.MustCompile(`data-examples="([^"]*)"`)

// fetchExamples loads the page of h at base and then the examples list
// its data-examples attribute names, as boot.js does.
func fetchExamples(t *testing.T, h http.Handler, base string) ([]offered, *http.Response) {
	t.Helper()
	_, page := get(t, h, http.MethodGet, base, nil)
	m := examplesAttrRE.FindStringSubmatch(page)
	if m == nil {
		t.Fatal("the page has no data-examples attribute")
	}
	ref, err := url.Parse(html.UnescapeString(m[1]))
	if err != nil || ref.IsAbs() || strings.HasPrefix(ref.Path, "/") {
		t.Fatalf("data-examples %q is not a relative local URL (%v)", m[1], err)
	}
	u := (&url.URL{Path: base}).ResolveReference(ref)
	res, body := get(t, h, http.MethodGet, u.RequestURI(), nil)
	if res.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: status %d", u.RequestURI(), res.StatusCode)
	}
	var list struct{ Examples []offered }
	if err := json.Unmarshal([]byte(body), &list); err != nil {
		t.Fatalf("GET %s: %v\n%.300s", u.RequestURI(), err, body)
	}
	return list.Examples, res
}

// TestExamplesOffered: every example file is offered, with the query text
// of its file minus the test lines, the ten questions first and in order.
func TestExamplesOffered(t *testing.T) {
	all, err := examples.All()
	if err != nil {
		t.Fatal(err)
	}
	got, res := fetchExamples(t, Handler("startupgraph", testEndpoint, all), "/")
	if ct := res.Header.Get("Content-Type"); ct != "application/json" {
		t.Errorf("Content-Type = %q, want application/json", ct)
	}
	if cc := res.Header.Get("Cache-Control"); !strings.Contains(cc, "max-age=31536000") {
		t.Errorf("Cache-Control = %q, want a long max-age for the hashed URL", cc)
	}
	if len(got) != len(all) {
		t.Errorf("%d examples offered, want %d (one per examples/*.graphql)", len(got), len(all))
	}
	byName := map[string]offered{}
	for _, o := range got {
		byName[o.Name] = o
	}
	for _, e := range all {
		o, ok := byName[e.Name]
		if !ok {
			t.Errorf("%s is not offered", e.Name)
			continue
		}
		// The file's own text, test lines taken out here rather than by
		// the code under test.
		var want []string
		for _, line := range strings.Split(e.Query, "\n") {
			if !strings.HasPrefix(line, "# test-") {
				want = append(want, line)
			}
		}
		if o.Operation != strings.Join(want, "\n") {
			t.Errorf("%s: operation is\n%s\nwant the file without its test lines:\n%s", e.Name, o.Operation, strings.Join(want, "\n"))
		}
		if strings.Contains(o.Operation, "test-") {
			t.Errorf("%s: the operation shows a test line:\n%s", e.Name, o.Operation)
		}
		if o.Who != e.Who || o.Title == "" || !strings.Contains(e.Title, o.Title) {
			t.Errorf("%s: who %q title %q, want who %q and the file's title %q", e.Name, o.Who, o.Title, e.Who, e.Title)
		}
		// Variables: ready ones are offered, "Type:key" stand-ins never.
		switch {
		case e.Variables == "":
			if o.Variables != "" || o.Hint != "" {
				t.Errorf("%s takes no variables, offered %q / hint %q", e.Name, o.Variables, o.Hint)
			}
		case regexp.MustCompile(`"[A-Z][A-Za-z]*:[a-z0-9-]+"`).MatchString(e.Variables):
			if o.Variables != "" || !strings.Contains(o.Hint, "Variables") {
				t.Errorf("%s needs ids: variables %q, hint %q; want none and a hint", e.Name, o.Variables, o.Hint)
			}
		default:
			var a, b any
			if json.Unmarshal([]byte(e.Variables), &a) != nil || json.Unmarshal([]byte(o.Variables), &b) != nil || !jsonEqual(a, b) {
				t.Errorf("%s: variables %q, want %q", e.Name, o.Variables, e.Variables)
			}
		}
	}

	// The questions first, numbered 1 to 10 in order, then the rest with
	// each asker's examples together.
	var numbers []int
	for i, o := range got {
		if o.Number == 0 {
			for _, rest := range got[i:] {
				if rest.Number != 0 {
					t.Errorf("question %s comes after other examples", rest.Name)
				}
			}
			break
		}
		numbers = append(numbers, o.Number)
		if !strings.HasPrefix(o.Name, "question-") || strings.HasPrefix(o.Title, "Question ") {
			t.Errorf("question %d: name %q title %q", o.Number, o.Name, o.Title)
		}
	}
	if want := []int{1, 2, 3, 4, 5, 6, 7, 8, 9, 10}; !slices.Equal(numbers, want) {
		t.Errorf("questions offered first: %v, want %v", numbers, want)
	}
	seen := map[string]bool{}
	for i, o := range got {
		if o.Number != 0 {
			continue
		}
		if o.Group == "" {
			t.Errorf("%s has no group", o.Name)
		}
		if seen[o.Group] && got[i-1].Group != o.Group {
			t.Errorf("%s: group %q is split", o.Name, o.Group)
		}
		seen[o.Group] = true
	}
	if len(seen) < 3 {
		t.Errorf("groups %v: want the examples' askers (analysts, city staff, anyone, universities)", seen)
	}
}

func jsonEqual(a, b any) bool {
	x, _ := json.Marshal(a)
	y, _ := json.Marshal(b)
	return string(x) == string(y)
}

// TestExamplesHint: an example whose test variables use "Type:key"
// stand-ins gets no made-up id, but a hint naming the nodes.
func TestExamplesHint(t *testing.T) {
	list, err := examplesJSON([]examples.Example{{
		Name: "x", Title: "X.", Who: "analysts (ANALYST key).", Query: "query X($a: [ID!]!, $b: ID!) { x }",
		Variables: `{"b": "Fund:some-fund", "a": ["Startup:one", "Startup:two"]}`,
	}})
	if err != nil {
		t.Fatal(err)
	}
	var got struct{ Examples []offered }
	if err := json.Unmarshal(list, &got); err != nil || len(got.Examples) != 1 {
		t.Fatalf("%s: %v", list, err)
	}
	o := got.Examples[0]
	want := "$a: the ids of Startup one and Startup two; $b: the id of Fund some-fund"
	if o.Variables != "" || !strings.Contains(o.Hint, want) || o.Group != "analysts" {
		t.Errorf("variables %q, hint %q, group %q; want no variables, a hint with %q, group analysts", o.Variables, o.Hint, o.Group, want)
	}

	empty, err := examplesJSON(nil)
	if err != nil || string(empty) != `{"examples":[]}` {
		t.Errorf("no examples: %s %v", empty, err)
	}
}
