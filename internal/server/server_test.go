package server_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"startupgraph/internal/apitest"
	"startupgraph/internal/config"
	"startupgraph/internal/testdb"
)

func TestMain(m *testing.M) { testdb.Main(m) }

func TestUniversitiesServed(t *testing.T) {
	c := apitest.New(t, testdb.Demo)
	var data struct {
		Universities []struct {
			ID, Name, NameKo, NameEn, ShortName, HomeCountry, Provenance string
			MouPartner                                                   bool
		}
	}
	c.OK(t, `{ universities { id name nameKo nameEn shortName homeCountry mouPartner provenance } }`, nil, &data)
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
	c := apitest.New(t, testdb.Demo)
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
			r := c.Do(t, tc.query, nil, "Accept-Language", tc.acceptLanguage)
			if len(r.Errors) > 0 {
				t.Fatalf("errors: %+v", r.Errors)
			}
			if !strings.Contains(string(r.Data), `"`+tc.want+`"`) {
				t.Errorf("data %s does not contain %q", r.Data, tc.want)
			}
		})
	}
}

func TestArticleFiguresExact(t *testing.T) {
	c := apitest.New(t, testdb.Demo)
	r := c.OK(t, `{ funds { nodes { key size kind vintageYear } } facilities { nodes { key kind areaSquareMeters opensIn location(locale: KO) } } sectors { nodes { key taskForceField } } }`, nil, nil)
	for _, want := range []string{
		`"key":"creative-growth-venture-fund","size":36500000000,"kind":"VENTURE_FUND"`,
		`"key":"smart-venture-campus-national-grant","size":1950000000,"kind":"GOVERNMENT_GRANT","vintageYear":2017`,
		`"key":"global-startup-campus","kind":"CAMPUS","areaSquareMeters":4349,"opensIn":"2017-07","location":"인천 글로벌 캠퍼스 복합문화시설"`,
	} {
		if !strings.Contains(string(r.Data), want) {
			t.Errorf("data lacks %s\n%s", want, r.Data)
		}
	}
	if n := strings.Count(string(r.Data), `"taskForceField":true`); n != 4 {
		t.Errorf("%d task-force sectors, want 4", n)
	}
}

// TestBadRequestsGetCodes: malformed requests get a GraphQL error with a
// code, never a 500.
func TestBadRequestsGetCodes(t *testing.T) {
	c := apitest.New(t, testdb.Demo)
	cases := []struct {
		name, body, code string
	}{
		{"syntax error", `{"query":"{ universities { name "}`, "GRAPHQL_PARSE_FAILED"},
		{"unknown field", `{"query":"{ universities { nope } }"}`, "GRAPHQL_VALIDATION_FAILED"},
		{"unknown argument", `{"query":"{ universities(first: 3) { name } }"}`, "GRAPHQL_VALIDATION_FAILED"},
		{"wrong variable type", `{"query":"query($l: Locale){ universities { name(locale: $l) } }","variables":{"l":5}}`, "GRAPHQL_VALIDATION_FAILED"},
		{"bad enum variable", `{"query":"query($l: Locale){ universities { name(locale: $l) } }","variables":{"l":"FR"}}`, "GRAPHQL_VALIDATION_FAILED"},
		{"missing query", `{}`, "BAD_REQUEST"},
		{"unknown operation name", `{"query":"query A { sectors { nodes { key } } }","operationName":"B"}`, "GRAPHQL_VALIDATION_FAILED"},
		{"body is not JSON", `not json`, "BAD_REQUEST"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			req := httptest.NewRequest(http.MethodPost, "/graphql", strings.NewReader(tc.body))
			req.Header.Set("Content-Type", "application/json")
			r := apitest.Decode(t, c.Serve(req))
			if r.Status >= 500 {
				t.Errorf("status %d", r.Status)
			}
			if r.Code() != tc.code {
				t.Errorf("code %q, want %s (%+v)", r.Code(), tc.code, r.Errors)
			}
		})
	}

	t.Run("unsupported method", func(t *testing.T) {
		r := apitest.Decode(t, c.Serve(httptest.NewRequest(http.MethodPut, "/graphql", strings.NewReader(`{}`))))
		if r.Status != http.StatusMethodNotAllowed || r.Code() != "METHOD_NOT_ALLOWED" {
			t.Errorf("status %d, errors %+v", r.Status, r.Errors)
		}
	})

	t.Run("GET query works", func(t *testing.T) {
		r := apitest.Decode(t, c.Serve(httptest.NewRequest(http.MethodGet, "/graphql?query="+url.QueryEscape(`{ sectors { nodes { key } } }`), nil)))
		if r.Status != http.StatusOK || len(r.Errors) > 0 || !strings.Contains(string(r.Data), "smart-factory") {
			t.Errorf("status %d, errors %+v, data %s", r.Status, r.Errors, r.Data)
		}
	})
}

// TestDatabaseOutage: with the network to PostgreSQL cut, /readyz fails
// and queries fail with a coded error that leaks no driver text or host;
// both recover when the network is back.
func TestDatabaseOutage(t *testing.T) {
	dsn, proxy := testdb.Proxied(t, testdb.URL(t, testdb.Demo))
	c := apitest.Open(t, dsn)
	ready := func() int { return c.Serve(httptest.NewRequest(http.MethodGet, "/readyz", nil)).Code }

	if got := ready(); got != http.StatusOK {
		t.Fatalf("readyz before outage: %d", got)
	}
	proxy.SetDown(true)
	if got := ready(); got != http.StatusServiceUnavailable {
		t.Errorf("readyz during outage: %d, want 503", got)
	}
	r := c.Do(t, `{ universities { name } }`, nil)
	if r.Status >= 500 || len(r.Errors) != 1 || r.Code() != "SERVICE_UNAVAILABLE" {
		t.Fatalf("status %d, errors %+v", r.Status, r.Errors)
	}
	for _, leak := range []string{"pq:", "sql:", "dial", "127.0.0.1", proxy.Addr(), "connection", "SELECT"} {
		if strings.Contains(r.Errors[0].Message, leak) {
			t.Errorf("error message %q leaks %q", r.Errors[0].Message, leak)
		}
	}
	proxy.SetDown(false)
	if got := ready(); got != http.StatusOK {
		t.Errorf("readyz after outage: %d, want 200", got)
	}
	if r := c.Do(t, `{ universities { name } }`, nil); len(r.Errors) > 0 {
		t.Errorf("query after outage: %+v", r.Errors)
	}
}

func TestHealthPlaygroundAndHeaders(t *testing.T) {
	c := apitest.New(t, testdb.Demo)
	get := func(path string) *httptest.ResponseRecorder {
		return c.Serve(httptest.NewRequest(http.MethodGet, path, nil))
	}

	t.Run("healthz", func(t *testing.T) {
		rec := get("/healthz")
		var body map[string]string
		_ = json.Unmarshal(rec.Body.Bytes(), &body)
		if rec.Code != http.StatusOK || body["status"] != "ok" {
			t.Errorf("status %d body %s", rec.Code, rec.Body.String())
		}
	})

	t.Run("playground at /", func(t *testing.T) {
		rec := get("/")
		body := rec.Body.String()
		if rec.Code != http.StatusOK || !strings.HasPrefix(rec.Header().Get("Content-Type"), "text/html") ||
			!strings.Contains(body, "/graphql") || !strings.Contains(body, "graphiql") {
			t.Errorf("status %d, type %q, body %.200s", rec.Code, rec.Header().Get("Content-Type"), body)
		}
	})

	t.Run("unknown path is 404", func(t *testing.T) {
		if rec := get("/nope"); rec.Code != http.StatusNotFound {
			t.Errorf("status %d", rec.Code)
		}
	})

	t.Run("request id is echoed or made", func(t *testing.T) {
		req := httptest.NewRequest(http.MethodGet, "/healthz", nil)
		req.Header.Set("X-Request-Id", "dashboard-1234")
		if got := c.Serve(req).Header().Get("X-Request-Id"); got != "dashboard-1234" {
			t.Errorf("echoed id %q", got)
		}
		req.Header.Set("X-Request-Id", "bad id with spaces")
		if got := c.Serve(req).Header().Get("X-Request-Id"); len(got) != 32 {
			t.Errorf("replacement id %q", got)
		}
	})

	t.Run("CORS", func(t *testing.T) {
		for _, tc := range []struct {
			origin string
			allow  bool
		}{{"https://dashboard.incheon.example", true}, {"https://evil.example", false}} {
			req := httptest.NewRequest(http.MethodOptions, "/graphql", nil)
			req.Header.Set("Origin", tc.origin)
			req.Header.Set("Access-Control-Request-Method", "POST")
			req.Header.Set("Access-Control-Request-Headers", "authorization,content-type")
			got := c.Serve(req).Header().Get("Access-Control-Allow-Origin")
			if tc.allow && got != tc.origin || !tc.allow && got != "" {
				t.Errorf("origin %s: Access-Control-Allow-Origin %q", tc.origin, got)
			}
		}
	})
}

// TestRequestGuards: refused transports and oversized requests get a
// coded error and run nothing.
func TestRequestGuards(t *testing.T) {
	c := apitest.New(t, testdb.Demo)
	big := `{"query":"{ universities { name } }","variables":{"pad":"` + strings.Repeat("x", 600<<10) + `"}}`
	cases := []struct {
		name, contentType, body string
		status                  int
		code                    string
	}{
		{"form body", "application/x-www-form-urlencoded", "query=%7B__typename%7D", http.StatusUnsupportedMediaType, "UNSUPPORTED_MEDIA_TYPE"},
		{"text body", "text/plain", `{"query":"{ __typename }"}`, http.StatusUnsupportedMediaType, "UNSUPPORTED_MEDIA_TYPE"},
		{"multipart", "multipart/form-data; boundary=x", "--x--", http.StatusUnsupportedMediaType, "UNSUPPORTED_MEDIA_TYPE"},
		{"no content type", "", `{"query":"{ __typename }"}`, http.StatusUnsupportedMediaType, "UNSUPPORTED_MEDIA_TYPE"},
		{"too large", "application/json", big, http.StatusRequestEntityTooLarge, "REQUEST_TOO_LARGE"},
		{"batch", "application/json", `[{"query":"{ __typename }"},{"query":"{ __typename }"}]`, http.StatusBadRequest, "BATCHING_NOT_SUPPORTED"},
		{"json with charset", "application/json; charset=utf-8", `{"query":"{ __typename }"}`, http.StatusOK, ""},
		{"json in another charset", "application/json; charset=iso-8859-1", `{"query":"{ __typename }"}`, http.StatusUnsupportedMediaType, "UNSUPPORTED_MEDIA_TYPE"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			req := httptest.NewRequest(http.MethodPost, "/graphql", strings.NewReader(tc.body))
			if tc.contentType != "" {
				req.Header.Set("Content-Type", tc.contentType)
			}
			r := apitest.Decode(t, c.Serve(req))
			if r.Status != tc.status || r.Code() != tc.code {
				t.Errorf("status %d code %q, want %d %q", r.Status, r.Code(), tc.status, tc.code)
			}
			if tc.code != "" && len(r.Data) > 0 && string(r.Data) != "null" {
				t.Errorf("refused request has data: %s", r.Data)
			}
		})
	}

	// Subscriptions take a WebSocket handshake (live_test.go); anything
	// less asking for an upgrade is refused in JSON.
	t.Run("no upgrade but a whole WebSocket handshake", func(t *testing.T) {
		req := httptest.NewRequest(http.MethodGet, "/graphql", nil)
		req.Header.Set("Connection", "Upgrade")
		req.Header.Set("Upgrade", "websocket")
		req.Header.Set("Sec-WebSocket-Protocol", "graphql-transport-ws")
		r := apitest.Decode(t, c.Serve(req))
		if r.Status != http.StatusBadRequest || r.Code() != "UNSUPPORTED_TRANSPORT" {
			t.Errorf("upgrade: status %d code %q", r.Status, r.Code())
		}
	})

	t.Run("GET never runs mutations", func(t *testing.T) {
		q := url.QueryEscape(`mutation { archiveStartup(input: {id: "U3RhcnR1cDox", expectedVersion: 1}) { replayed } }`)
		req := httptest.NewRequest(http.MethodGet, "/graphql?query="+q, nil)
		req.Header.Set("Authorization", "Bearer "+c.Key)
		r := apitest.Decode(t, c.Serve(req))
		if len(r.Errors) == 0 || r.Status < 400 {
			t.Errorf("a mutation over GET: status %d %+v", r.Status, r.Errors)
		}
	})

	t.Run("no suggestions outside dev", func(t *testing.T) {
		r := c.Do(t, `{ universitys { name } }`, nil)
		if r.Code() != "GRAPHQL_VALIDATION_FAILED" || strings.Contains(r.Errors[0].Message, "Did you mean") {
			t.Errorf("%+v", r.Errors)
		}
	})

	t.Run("token limit", func(t *testing.T) {
		q := "{ " + strings.Repeat("__typename ", 20000) + "}"
		r := c.Do(t, q, nil)
		if r.Code() == "" || r.Status >= 500 {
			t.Errorf("20,000 tokens: status %d %+v", r.Status, r.Errors)
		}
	})
}

// TestRateLimit: a key over its budget gets 429 with Retry-After and runs
// nothing; another key is not slowed.
func TestRateLimit(t *testing.T) {
	keys := apitest.New(t, testdb.Demo)
	heavy, light := keys.NewKey(t, "ANALYST", ""), keys.NewKey(t, "ANALYST", "")
	cfg := config.Config{RequestTimeout: 10 * time.Second, RateLimitPoints: 3, RateLimitWindow: time.Hour}
	c := keys.WithConfig(cfg).As("")
	for i := 0; i < 3; i++ {
		if r := c.As(heavy).Do(t, `{ sectors { nodes { key } } }`, nil); r.Status != http.StatusOK || len(r.Errors) > 0 {
			t.Fatalf("query %d: %d %+v", i, r.Status, r.Errors)
		}
	}
	req := httptest.NewRequest(http.MethodPost, "/graphql", strings.NewReader(`{"query":"{ sectors { nodes { key } } }"}`))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+heavy)
	rec := c.Serve(req)
	r := apitest.Decode(t, rec)
	if r.Status != http.StatusTooManyRequests || r.Code() != "RATE_LIMITED" || rec.Header().Get("Retry-After") == "" {
		t.Errorf("over budget: status %d code %q Retry-After %q", r.Status, r.Code(), rec.Header().Get("Retry-After"))
	}
	if got := c.As(heavy).Do(t, `{ sectors { nodes { key } } }`, nil); got.Statements != 0 {
		t.Errorf("a refused query ran %d statements", got.Statements)
	}
	if r := c.As(light).Do(t, `{ sectors { nodes { key } } }`, nil); r.Status != http.StatusOK || len(r.Errors) > 0 {
		t.Errorf("another key was refused: %d %+v", r.Status, r.Errors)
	}
}
