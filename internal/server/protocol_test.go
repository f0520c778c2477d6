package server_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"startupgraph/internal/apitest"
	"startupgraph/internal/testdb"
)

const (
	gqlResponse = "application/graphql-response+json"
	plainJSON   = "application/json"
)

// exchange is one request and what came back, with the body kept raw so a
// test can tell a missing `data` key from `"data": null`.
type exchange struct {
	status int
	header http.Header
	body   map[string]json.RawMessage
	raw    string
}

func (e exchange) code() string {
	var errs []struct {
		Extensions map[string]any `json:"extensions"`
	}
	_ = json.Unmarshal(e.body["errors"], &errs)
	if len(errs) == 0 {
		return ""
	}
	c, _ := errs[0].Extensions["code"].(string)
	return c
}

func send(t *testing.T, c *apitest.Client, method, target, accept, body string) exchange {
	t.Helper()
	var req *http.Request
	if method == http.MethodGet {
		req = httptest.NewRequest(method, target, nil)
	} else {
		req = httptest.NewRequest(method, target, strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
	}
	if accept != "" {
		req.Header.Set("Accept", accept)
	}
	rec := c.Serve(req)
	e := exchange{status: rec.Code, header: rec.Header(), raw: rec.Body.String()}
	if err := json.Unmarshal(rec.Body.Bytes(), &e.body); err != nil {
		t.Fatalf("%s %s: response is not a JSON object (%d): %s", method, target, rec.Code, rec.Body.String())
	}
	return e
}

// TestGraphQLOverHTTP checks the GraphQL-over-HTTP specification's MUSTs
// and SHOULDs (the draft's "Status Codes" examples, for both response
// media types) against the real handler.
func TestGraphQLOverHTTP(t *testing.T) {
	c := apitest.New(t, testdb.Demo).As("") // anonymous: no key needed for these
	ok := `{"query":"{ sectors { nodes { key } } }"}`

	t.Run("media type negotiation", func(t *testing.T) {
		cases := []struct{ accept, want string }{
			{"", gqlResponse}, // the post-2025 default
			{gqlResponse, gqlResponse},
			{plainJSON, plainJSON},
			{"*/*", plainJSON},
			{"application/*", plainJSON},
			{gqlResponse + ", " + plainJSON + ";q=0.9", gqlResponse},
			{gqlResponse + ";q=0.5, " + plainJSON, plainJSON},
			{plainJSON + ", " + gqlResponse, gqlResponse},
			{"text/html, */*;q=0.1", plainJSON},
			{plainJSON + "; charset=utf-8", plainJSON},
		}
		for _, tc := range cases {
			e := send(t, c, http.MethodPost, "/graphql", tc.accept, ok)
			if e.status != http.StatusOK || e.header.Get("Content-Type") != tc.want+"; charset=utf-8" {
				t.Errorf("Accept %q: status %d, Content-Type %q, want %s; charset=utf-8", tc.accept, e.status, e.header.Get("Content-Type"), tc.want)
			}
			if _, has := e.body["data"]; !has {
				t.Errorf("Accept %q: no data: %s", tc.accept, e.raw)
			}
		}
		for _, accept := range []string{"text/html", "application/xml", plainJSON + ";q=0, " + gqlResponse + ";q=0", plainJSON + "; charset=latin1"} {
			if e := send(t, c, http.MethodPost, "/graphql", accept, ok); e.status != http.StatusNotAcceptable || e.code() != "NOT_ACCEPTABLE" {
				t.Errorf("Accept %q: status %d code %q, want 406 NOT_ACCEPTABLE", accept, e.status, e.code())
			}
		}
	})

	// Status by media type: application/graphql-response+json, application/json.
	cases := []struct {
		name             string
		body             string
		code             string
		gqlResp, jsonRsp int
		data             bool // whether the response carries `data`
	}{
		{"JSON parsing failure", `{"query":`, "BAD_REQUEST", 400, 400, false},
		{"not JSON", `NONSENSE`, "BAD_REQUEST", 400, 400, false},
		{"body is a string", `"{ __typename }"`, "BAD_REQUEST", 400, 400, false},
		{"two objects", `{"query":"{ __typename }"}{"query":"{ __typename }"}`, "BAD_REQUEST", 400, 400, false},
		{"missing query", `{}`, "BAD_REQUEST", 400, 400, false},
		{"misspelt query", `{"qeury":"{ __typename }"}`, "BAD_REQUEST", 400, 400, false},
		{"null query", `{"query":null}`, "BAD_REQUEST", 400, 400, false},
		{"number query", `{"query":7}`, "BAD_REQUEST", 400, 400, false},
		{"object query", `{"query":{}}`, "BAD_REQUEST", 400, 400, false},
		{"array query", `{"query":["{ __typename }"]}`, "BAD_REQUEST", 400, 400, false},
		{"number operationName", `{"query":"{ __typename }","operationName":1}`, "BAD_REQUEST", 400, 400, false},
		{"array variables", `{"query":"query Q($i: Int) { __typename }","variables":[7]}`, "BAD_REQUEST", 400, 400, false},
		{"string variables", `{"query":"{ __typename }","variables":"{}"}`, "BAD_REQUEST", 400, 400, false},
		{"boolean extensions", `{"query":"{ __typename }","extensions":true}`, "BAD_REQUEST", 400, 400, false},
		{"document parsing failure", `{"query":"{"}`, "GRAPHQL_PARSE_FAILED", 400, 200, false},
		{"document validation failure", `{"query":"{ nope }"}`, "GRAPHQL_VALIDATION_FAILED", 400, 200, false},
		{"operation cannot be determined", `{"query":"query A { __typename } query B { __typename }"}`, "GRAPHQL_VALIDATION_FAILED", 400, 200, false},
		{"unknown operation name", `{"query":"query A { __typename }","operationName":"B"}`, "GRAPHQL_VALIDATION_FAILED", 400, 200, false},
		{"variable coercion failure", `{"query":"query($id: ID!) { node(id: $id) { id } }","variables":{"id":null}}`, "GRAPHQL_VALIDATION_FAILED", 400, 200, false},
		{"introspection without a key", `{"query":"{ __schema { types { name } } }"}`, "FORBIDDEN", 403, 200, false},
		{"null variables and operationName", `{"query":"{ __typename }","variables":null,"operationName":null,"extensions":null}`, "", 200, 200, true},
		{"field error, data null", `{"query":"{ startups(first: 1) { totalCount } }"}`, "UNAUTHENTICATED", 200, 200, true},
		{"success", ok, "", 200, 200, true},
	}
	for _, tc := range cases {
		for _, media := range []string{gqlResponse, plainJSON} {
			want := tc.gqlResp
			if media == plainJSON {
				want = tc.jsonRsp
			}
			t.Run(tc.name+" "+media, func(t *testing.T) {
				e := send(t, c, http.MethodPost, "/graphql", media, tc.body)
				if e.status != want {
					t.Errorf("status %d, want %d: %s", e.status, want, e.raw)
				}
				if ct := e.header.Get("Content-Type"); ct != media+"; charset=utf-8" {
					t.Errorf("Content-Type %q", ct)
				}
				if _, has := e.body["data"]; has != tc.data {
					t.Errorf("data present: %v, want %v: %s", has, tc.data, e.raw)
				}
				if e.code() != tc.code {
					t.Errorf("code %q, want %q: %s", e.code(), tc.code, e.raw)
				}
				if strings.Contains(e.raw, "NONSENSE") || strings.Contains(e.raw, "qeury") {
					t.Errorf("the body is echoed back: %s", e.raw)
				}
			})
		}
	}

	t.Run("GET", func(t *testing.T) {
		q := url.Values{"query": {`query($n: Int) { sectors(first: $n) { nodes { key } } }`}, "variables": {`{"n": 2}`}}
		if e := send(t, c, http.MethodGet, "/graphql?"+q.Encode(), gqlResponse, ""); e.status != 200 || !strings.Contains(string(e.body["data"]), "key") {
			t.Errorf("GET query: %d %s", e.status, e.raw)
		}
		q.Set("variables", `[2]`)
		if e := send(t, c, http.MethodGet, "/graphql?"+q.Encode(), plainJSON, ""); e.status != 400 || e.code() != "BAD_REQUEST" {
			t.Errorf("GET with array variables: %d %s", e.status, e.raw)
		}
		if e := send(t, c, http.MethodGet, "/graphql", gqlResponse, ""); e.status != 400 || e.code() != "BAD_REQUEST" {
			t.Errorf("GET without query: %d %s", e.status, e.raw)
		}
		m := url.Values{"query": {`mutation { archiveStartup(input: {id: "U3RhcnR1cDox", expectedVersion: 1}) { replayed } }`}}
		for _, media := range []string{gqlResponse, plainJSON} {
			e := send(t, c, http.MethodGet, "/graphql?"+m.Encode(), media, "")
			if e.status != http.StatusMethodNotAllowed || e.code() != "METHOD_NOT_ALLOWED" || e.header.Get("Allow") != "POST" {
				t.Errorf("GET mutation (%s): %d Allow %q %s", media, e.status, e.header.Get("Allow"), e.raw)
			}
			if _, has := e.body["data"]; has {
				t.Errorf("GET mutation answered with data: %s", e.raw)
			}
		}
		// operationName picks the query out of a document that also holds a mutation.
		mixed := url.Values{"query": {`query Q { __typename } mutation M { archiveStartup(input: {id: "x", expectedVersion: 1}) { replayed } }`}, "operationName": {"Q"}}
		if e := send(t, c, http.MethodGet, "/graphql?"+mixed.Encode(), gqlResponse, ""); e.status != 200 {
			t.Errorf("GET of the query in a mixed document: %d %s", e.status, e.raw)
		}
	})

	t.Run("request errors are capped", func(t *testing.T) {
		var b strings.Builder
		b.WriteString("{ ")
		for i := range 40 {
			b.WriteString("nope")
			b.WriteString(strings.Repeat("x", i))
			b.WriteString(" ")
		}
		b.WriteString("}")
		body, _ := json.Marshal(map[string]string{"query": b.String()})
		e := send(t, c, http.MethodPost, "/graphql", gqlResponse, string(body))
		var errs []any
		_ = json.Unmarshal(e.body["errors"], &errs)
		if e.status != 400 || len(errs) != 11 {
			t.Errorf("40 unknown fields: status %d, %d errors, want 400 and 10 + 1: %s", e.status, len(errs), e.raw)
		}
	})
}
