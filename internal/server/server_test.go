package server_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"startupgraph/internal/config"
	"startupgraph/internal/server"
	"startupgraph/internal/store"
	"startupgraph/internal/testdb"
)

func TestMain(m *testing.M) { testdb.Main(m) }

// gqlResponse is the GraphQL response shape the tests read.
type gqlResponse struct {
	Data   json.RawMessage `json:"data"`
	Errors []struct {
		Message    string         `json:"message"`
		Path       []any          `json:"path"`
		Extensions map[string]any `json:"extensions"`
	} `json:"errors"`
}

func testConfig() config.Config {
	return config.Config{
		CORSOrigins:    []string{"https://dashboard.incheon.example"},
		RequestTimeout: 5 * time.Second,
	}
}

// newServer runs the real handler stack over a fresh database reached
// through dsn.
func newServer(t *testing.T, dsn string) (*httptest.Server, *store.Store) {
	t.Helper()
	s, err := store.Open(context.Background(), dsn, store.PoolConfig{MaxOpen: 4, MaxIdle: 4})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	srv := httptest.NewServer(server.NewHandler(server.Deps{Config: testConfig(), Logger: logger, Store: s}))
	t.Cleanup(srv.Close)
	return srv, s
}

func post(t *testing.T, srv *httptest.Server, body string, header ...string) (*http.Response, gqlResponse) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, srv.URL+"/graphql", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	return do(t, req)
}

func do(t *testing.T, req *http.Request) (*http.Response, gqlResponse) {
	t.Helper()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	var out gqlResponse
	if err := json.Unmarshal(raw, &out); err != nil {
		t.Fatalf("response is not JSON (%d): %s", resp.StatusCode, raw)
	}
	return resp, out
}

func query(q string) string {
	b, _ := json.Marshal(map[string]any{"query": q})
	return string(b)
}

func TestUniversitiesServed(t *testing.T) {
	srv, _ := newServer(t, testdb.URL(t, testdb.Demo))
	resp, out := post(t, srv, query(`{ universities { id name nameKo nameEn shortName homeCountry mouPartner provenance } }`))
	if resp.StatusCode != http.StatusOK || len(out.Errors) > 0 {
		t.Fatalf("status %d, errors %+v", resp.StatusCode, out.Errors)
	}
	var data struct {
		Universities []struct {
			ID, Name, NameKo, NameEn, ShortName, HomeCountry, Provenance string
			MouPartner                                                   bool
		}
	}
	if err := json.Unmarshal(out.Data, &data); err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"SUNY Korea": "한국뉴욕주립대", "University of Utah": "유타대", "Ghent University": "겐트대", "George Mason University": "조지메이슨대"}
	if len(data.Universities) != len(want) {
		t.Fatalf("got %d universities, want 4: %+v", len(data.Universities), data.Universities)
	}
	ids := map[string]bool{}
	for _, u := range data.Universities {
		if want[u.NameEn] != u.NameKo || u.Name != u.NameEn || !u.MouPartner || u.Provenance != "ARTICLE" {
			t.Errorf("unexpected university %+v", u)
		}
		if u.ID == "" || strings.Contains(u.ID, "University") || ids[u.ID] {
			t.Errorf("id %q is empty, not opaque or repeated", u.ID)
		}
		ids[u.ID] = true
	}
}

func TestLocale(t *testing.T) {
	srv, _ := newServer(t, testdb.URL(t, testdb.Demo))
	cases := []struct {
		name, query, acceptLanguage, want string
	}{
		{"default is English", `{ funds { nodes { name } } }`, "", "Creative Growth Venture Fund"},
		{"Accept-Language ko", `{ funds { nodes { name } } }`, "ko-KR,ko;q=0.9,en;q=0.8", "창조성장벤처펀드"},
		{"q-values prefer English", `{ funds { nodes { name } } }`, "ko;q=0.2,en;q=0.9", "Creative Growth Venture Fund"},
		{"unsupported language falls back", `{ funds { nodes { name } } }`, "fr-FR", "Creative Growth Venture Fund"},
		{"argument beats header", `{ funds { nodes { name(locale: KO) } } }`, "en", "창조성장벤처펀드"},
		{"argument EN", `{ funds { nodes { name(locale: EN) } } }`, "ko", "Creative Growth Venture Fund"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, out := post(t, srv, query(tc.query), "Accept-Language", tc.acceptLanguage)
			if len(out.Errors) > 0 {
				t.Fatalf("errors: %+v", out.Errors)
			}
			if !strings.Contains(string(out.Data), `"`+tc.want+`"`) {
				t.Errorf("data %s does not contain %q", out.Data, tc.want)
			}
		})
	}
}

func TestArticleFiguresExact(t *testing.T) {
	srv, _ := newServer(t, testdb.URL(t, testdb.Demo))
	_, out := post(t, srv, query(`{ funds { nodes { key size kind vintageYear } } facilities { nodes { key kind areaSquareMeters opensIn location(locale: KO) } } sectors { nodes { key taskForceField } } }`))
	if len(out.Errors) > 0 {
		t.Fatalf("errors: %+v", out.Errors)
	}
	for _, want := range []string{
		`"key":"creative-growth-venture-fund","size":36500000000,"kind":"VENTURE_FUND"`,
		`"key":"smart-venture-campus-national-grant","size":1950000000,"kind":"GOVERNMENT_GRANT","vintageYear":2017`,
		`"key":"global-startup-campus","kind":"CAMPUS","areaSquareMeters":4349,"opensIn":"2017-07","location":"인천 글로벌 캠퍼스 복합문화시설"`,
	} {
		if !strings.Contains(string(out.Data), want) {
			t.Errorf("data lacks %s\n%s", want, out.Data)
		}
	}
	if n := strings.Count(string(out.Data), `"taskForceField":true`); n != 4 {
		t.Errorf("%d task-force sectors, want 4", n)
	}
}

// TestBadRequestsGetCodes: malformed requests get a GraphQL error with a
// code, never a 500.
func TestBadRequestsGetCodes(t *testing.T) {
	srv, _ := newServer(t, testdb.URL(t, testdb.Demo))
	cases := []struct {
		name, body, code string
	}{
		{"syntax error", query(`{ universities { name `), "GRAPHQL_PARSE_FAILED"},
		{"unknown field", query(`{ universities { nope } }`), "GRAPHQL_VALIDATION_FAILED"},
		{"unknown argument", query(`{ universities(first: 3) { name } }`), "GRAPHQL_VALIDATION_FAILED"},
		{"wrong variable type", `{"query":"query($l: Locale){ universities { name(locale: $l) } }","variables":{"l":5}}`, "GRAPHQL_VALIDATION_FAILED"},
		{"bad enum variable", `{"query":"query($l: Locale){ universities { name(locale: $l) } }","variables":{"l":"FR"}}`, "GRAPHQL_VALIDATION_FAILED"},
		{"missing query", `{}`, "GRAPHQL_VALIDATION_FAILED"},
		{"unknown operation name", `{"query":"query A { sectors { nodes { key } } }","operationName":"B"}`, "GRAPHQL_VALIDATION_FAILED"},
		{"body is not JSON", `not json`, "BAD_REQUEST"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			resp, out := post(t, srv, tc.body)
			if resp.StatusCode >= 500 {
				t.Errorf("status %d", resp.StatusCode)
			}
			if len(out.Errors) == 0 {
				t.Fatal("no error returned")
			}
			if got := out.Errors[0].Extensions["code"]; got != tc.code {
				t.Errorf("code %v, want %s (%s)", got, tc.code, out.Errors[0].Message)
			}
		})
	}

	t.Run("unsupported method", func(t *testing.T) {
		req, _ := http.NewRequest(http.MethodPut, srv.URL+"/graphql", strings.NewReader(query(`{ sectors { nodes { key } } }`)))
		resp, out := do(t, req)
		if resp.StatusCode != http.StatusMethodNotAllowed || len(out.Errors) != 1 || out.Errors[0].Extensions["code"] != "METHOD_NOT_ALLOWED" {
			t.Errorf("status %d, errors %+v", resp.StatusCode, out.Errors)
		}
	})

	t.Run("GET query works", func(t *testing.T) {
		req, _ := http.NewRequest(http.MethodGet, srv.URL+"/graphql?query="+url.QueryEscape(`{ sectors { nodes { key } } }`), nil)
		resp, out := do(t, req)
		if resp.StatusCode != http.StatusOK || len(out.Errors) > 0 || !strings.Contains(string(out.Data), "smart-factory") {
			t.Errorf("status %d, errors %+v, data %s", resp.StatusCode, out.Errors, out.Data)
		}
	})
}

// TestDatabaseOutage: with the network to PostgreSQL cut, /readyz fails
// and queries fail with a coded error that leaks no driver text or host;
// both recover when the network is back.
func TestDatabaseOutage(t *testing.T) {
	dsn := testdb.URL(t, testdb.Demo)
	u, err := url.Parse(dsn)
	if err != nil {
		t.Fatal(err)
	}
	proxy := testdb.NewProxy(t, u.Host)
	u.Host = proxy.Addr()
	srv, _ := newServer(t, u.String())

	ready := func() int {
		resp, err := http.Get(srv.URL + "/readyz")
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	if got := ready(); got != http.StatusOK {
		t.Fatalf("readyz before outage: %d", got)
	}

	proxy.SetDown(true)
	if got := ready(); got != http.StatusServiceUnavailable {
		t.Errorf("readyz during outage: %d, want 503", got)
	}
	resp, out := post(t, srv, query(`{ universities { name } }`))
	if resp.StatusCode >= 500 || len(out.Errors) != 1 {
		t.Fatalf("status %d, errors %+v", resp.StatusCode, out.Errors)
	}
	e := out.Errors[0]
	if e.Extensions["code"] != "SERVICE_UNAVAILABLE" {
		t.Errorf("code %v, want SERVICE_UNAVAILABLE", e.Extensions["code"])
	}
	for _, leak := range []string{"pq:", "sql:", "dial", "127.0.0.1", proxy.Addr(), "connection", "SELECT"} {
		if strings.Contains(e.Message, leak) {
			t.Errorf("error message %q leaks %q", e.Message, leak)
		}
	}

	proxy.SetDown(false)
	if got := ready(); got != http.StatusOK {
		t.Errorf("readyz after outage: %d, want 200", got)
	}
	_, out = post(t, srv, query(`{ universities { name } }`))
	if len(out.Errors) > 0 {
		t.Errorf("query after outage: %+v", out.Errors)
	}
}

func TestHealthPlaygroundAndHeaders(t *testing.T) {
	srv, _ := newServer(t, testdb.URL(t, testdb.Demo))

	t.Run("healthz", func(t *testing.T) {
		resp, err := http.Get(srv.URL + "/healthz")
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Errorf("status %d", resp.StatusCode)
		}
	})

	t.Run("playground at /", func(t *testing.T) {
		resp, err := http.Get(srv.URL + "/")
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") ||
			!bytes.Contains(body, []byte("/graphql")) || !bytes.Contains(body, []byte("graphiql")) {
			t.Errorf("status %d, type %q, body %.200s", resp.StatusCode, resp.Header.Get("Content-Type"), body)
		}
	})

	t.Run("unknown path is 404", func(t *testing.T) {
		resp, err := http.Get(srv.URL + "/nope")
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusNotFound {
			t.Errorf("status %d", resp.StatusCode)
		}
	})

	t.Run("request id is echoed or made", func(t *testing.T) {
		resp, _ := post(t, srv, query(`{ sectors { nodes { key } } }`), "X-Request-Id", "dashboard-1234")
		if got := resp.Header.Get("X-Request-Id"); got != "dashboard-1234" {
			t.Errorf("echoed id %q", got)
		}
		resp, _ = post(t, srv, query(`{ sectors { nodes { key } } }`), "X-Request-Id", "bad id with spaces")
		if got := resp.Header.Get("X-Request-Id"); len(got) != 32 {
			t.Errorf("replacement id %q", got)
		}
	})

	t.Run("CORS", func(t *testing.T) {
		for _, tc := range []struct {
			origin string
			allow  bool
		}{{"https://dashboard.incheon.example", true}, {"https://evil.example", false}} {
			req, _ := http.NewRequest(http.MethodOptions, srv.URL+"/graphql", nil)
			req.Header.Set("Origin", tc.origin)
			req.Header.Set("Access-Control-Request-Method", "POST")
			req.Header.Set("Access-Control-Request-Headers", "authorization,content-type")
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			got := resp.Header.Get("Access-Control-Allow-Origin")
			if tc.allow && got != tc.origin || !tc.allow && got != "" {
				t.Errorf("origin %s: Access-Control-Allow-Origin %q", tc.origin, got)
			}
		}
	})
}
