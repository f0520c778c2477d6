package playground

import (
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
)

const testEndpoint = "/graphql"

var (
	tagRE  = regexp.MustCompile(`(?is)<(script|link)\b[^>]*>`)
	attrRE = regexp.MustCompile(`(?is)\b(src|href)\s*=\s*"([^"]*)"`)
)

// get performs one request against a fresh handler.
func get(t *testing.T, h http.Handler, method, target string, hdr map[string]string) (*http.Response, string) {
	t.Helper()
	req := httptest.NewRequest(method, target, nil)
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	res := rec.Result()
	body, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	return res, string(body)
}

// pageAssetURLs returns the src/href of every <script> and <link> tag in
// the page, and fails the test for inline scripts or non-local URLs.
func pageAssetURLs(t *testing.T, page string) []string {
	t.Helper()
	var urls []string
	for _, tag := range tagRE.FindAllString(page, -1) {
		m := attrRE.FindStringSubmatch(tag)
		if m == nil {
			t.Errorf("tag without src/href (inline script?): %s", tag)
			continue
		}
		u := m[2]
		lower := strings.ToLower(u)
		for _, bad := range []string{"http://", "https://", "//cdn"} {
			if strings.Contains(lower, bad) {
				t.Errorf("tag refers to a non-local URL %q: %s", u, tag)
			}
		}
		if strings.HasPrefix(u, "data:") {
			continue // inline data (the empty favicon): nothing is fetched
		}
		if strings.HasPrefix(u, "//") || strings.Contains(u, ":") {
			t.Errorf("tag URL %q is not a relative local URL", u)
		}
		urls = append(urls, u)
	}
	return urls
}

func TestPage(t *testing.T) {
	h := Handler("startupgraph", testEndpoint, nil)
	tests := []struct {
		name, method, target string
		wantStatus           int
		wantBody             bool
	}{
		{"root", http.MethodGet, "/", http.StatusOK, true},
		{"root with query", http.MethodGet, "/?x=1", http.StatusOK, true},
		{"head", http.MethodHead, "/", http.StatusOK, false},
		{"post not allowed", http.MethodPost, "/", http.StatusMethodNotAllowed, false},
		{"unknown page", http.MethodGet, "/index.html", http.StatusNotFound, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, body := get(t, h, tt.method, tt.target, nil)
			if res.StatusCode != tt.wantStatus {
				t.Fatalf("status = %d, want %d", res.StatusCode, tt.wantStatus)
			}
			if got := res.Header.Get("X-Content-Type-Options"); got != "nosniff" {
				t.Errorf("X-Content-Type-Options = %q, want nosniff", got)
			}
			if tt.wantStatus != http.StatusOK {
				return
			}
			if ct := res.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/html") {
				t.Errorf("Content-Type = %q, want text/html", ct)
			}
			csp := res.Header.Get("Content-Security-Policy")
			for _, want := range []string{"default-src 'none'", "script-src 'self'", "style-src 'self'", "connect-src 'self'"} {
				if !strings.Contains(csp, want) {
					t.Errorf("Content-Security-Policy %q lacks %q", csp, want)
				}
			}
			if strings.Contains(csp, "unsafe-") {
				t.Errorf("Content-Security-Policy %q allows unsafe sources", csp)
			}
			if !tt.wantBody {
				if body != "" {
					t.Errorf("HEAD body = %d bytes, want none", len(body))
				}
				return
			}
			for _, want := range []string{
				`data-endpoint="` + testEndpoint + `"`,
				"<title>startupgraph</title>",
				"universities",
				"nameKo",
			} {
				if !strings.Contains(body, want) {
					t.Errorf("page lacks %q", want)
				}
			}
			if urls := pageAssetURLs(t, body); len(urls) < 5 {
				t.Errorf("page references %d assets, want at least 5: %q", len(urls), urls)
			}
		})
	}
}

func TestPageEscaping(t *testing.T) {
	h := Handler(`<b>"x"</b>`, `/graphql?a="b"&c=<d>`, nil)
	res, body := get(t, h, http.MethodGet, "/", nil)
	if res.StatusCode != http.StatusOK {
		t.Fatalf("status = %d", res.StatusCode)
	}
	for _, bad := range []string{`<b>`, `"x"`, `"b"`, `<d>`} {
		if strings.Contains(body, bad) {
			t.Errorf("page contains unescaped %q", bad)
		}
	}
}

func TestDefaultEndpointAndCSP(t *testing.T) {
	tests := []struct {
		name, endpoint, wantAttr, wantConnect string
	}{
		{"empty endpoint", "", `data-endpoint="/graphql"`, "connect-src 'self';"},
		{"path endpoint", "/api/graphql", `data-endpoint="/api/graphql"`, "connect-src 'self';"},
		{"absolute endpoint", "https://api.example.com/graphql", `data-endpoint="https://api.example.com/graphql"`,
			"connect-src 'self' https://api.example.com;"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, body := get(t, Handler("t", tt.endpoint, nil), http.MethodGet, "/", nil)
			if !strings.Contains(body, tt.wantAttr) {
				t.Errorf("page lacks %s", tt.wantAttr)
			}
			if csp := res.Header.Get("Content-Security-Policy"); !strings.Contains(csp, tt.wantConnect) {
				t.Errorf("Content-Security-Policy %q lacks %q", csp, tt.wantConnect)
			}
			pageAssetURLs(t, body) // still only local assets
		})
	}
}

func TestReferencedAssets(t *testing.T) {
	h := Handler("startupgraph", testEndpoint, nil)
	_, page := get(t, h, http.MethodGet, "/", nil)
	urls := pageAssetURLs(t, page)

	want := map[string]bool{ // every bundle the page must load
		"react.production.min.js":          false,
		"react-dom.production.min.js":      false,
		"graphiql.min.js":                  false,
		"graphiql.min.css":                 false,
		"graphiql-plugin-explorer.min.js":  false,
		"graphiql-plugin-explorer.min.css": false,
		"boot.js":                          false,
		"playground.css":                   false,
	}
	for _, raw := range urls {
		t.Run(raw, func(t *testing.T) {
			// Resolve as the browser would, for a page at the site root.
			u, err := url.Parse("/")
			if err != nil {
				t.Fatal(err)
			}
			ref, err := url.Parse(raw)
			if err != nil {
				t.Fatal(err)
			}
			u = u.ResolveReference(ref)
			if !strings.HasPrefix(u.Path, AssetPrefix) {
				t.Fatalf("asset URL %q is not under %s", raw, AssetPrefix)
			}
			name := strings.TrimPrefix(u.Path, AssetPrefix)
			want[name] = true

			res, body := get(t, h, http.MethodGet, u.RequestURI(), nil)
			if res.StatusCode != http.StatusOK {
				t.Fatalf("GET %s: status %d", u.RequestURI(), res.StatusCode)
			}
			ct := res.Header.Get("Content-Type")
			switch {
			case strings.HasSuffix(name, ".js"):
				if !strings.HasPrefix(ct, "text/javascript") {
					t.Errorf("Content-Type = %q, want text/javascript", ct)
				}
			case strings.HasSuffix(name, ".css"):
				if !strings.HasPrefix(ct, "text/css") {
					t.Errorf("Content-Type = %q, want text/css", ct)
				}
			default:
				t.Errorf("page refers to %q, neither JavaScript nor CSS", name)
			}
			if len(body) == 0 {
				t.Error("empty body")
			}
			if got := res.Header.Get("X-Content-Type-Options"); got != "nosniff" {
				t.Errorf("X-Content-Type-Options = %q, want nosniff", got)
			}
			if cc := res.Header.Get("Cache-Control"); !strings.Contains(cc, "max-age=31536000") {
				t.Errorf("Cache-Control = %q, want a long max-age", cc)
			}

			etag := res.Header.Get("ETag")
			if etag == "" {
				t.Fatal("no ETag")
			}
			res, _ = get(t, h, http.MethodGet, u.RequestURI(), map[string]string{"If-None-Match": etag})
			if res.StatusCode != http.StatusNotModified {
				t.Errorf("conditional GET: status %d, want 304", res.StatusCode)
			}
		})
	}
	for name, seen := range want {
		if !seen {
			t.Errorf("page does not load %s", name)
		}
	}
}

func TestAssetRequests(t *testing.T) {
	h := Handler("startupgraph", testEndpoint, nil)
	tests := []struct {
		name, target string
		wantStatus   int
		wantCT       string // prefix; "" to skip
		wantCache    string // substring of Cache-Control; "" to skip
	}{
		{"unknown asset", "/assets/nope.js", http.StatusNotFound, "", ""},
		{"asset directory", "/assets/", http.StatusNotFound, "", ""},
		{"nested path", "/assets/web/boot.js", http.StatusNotFound, "", ""},
		{"dot-dot", "/assets/../playground.go", http.StatusNotFound, "", ""},
		{"page template is not an asset", "/assets/index.html", http.StatusNotFound, "", ""},
		{"unversioned asset revalidates", "/assets/graphiql.min.js", http.StatusOK, "text/javascript", "no-cache"},
		{"stale version revalidates", "/assets/boot.js?v=0", http.StatusOK, "text/javascript", "no-cache"},
		{"license", "/assets/LICENSE.graphiql", http.StatusOK, "text/plain", ""},
		{"versions", "/assets/VERSIONS", http.StatusOK, "text/plain", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, body := get(t, h, http.MethodGet, tt.target, nil)
			if res.StatusCode != tt.wantStatus {
				t.Fatalf("status = %d, want %d", res.StatusCode, tt.wantStatus)
			}
			if ct := res.Header.Get("Content-Type"); tt.wantCT != "" && !strings.HasPrefix(ct, tt.wantCT) {
				t.Errorf("Content-Type = %q, want %s", ct, tt.wantCT)
			}
			if cc := res.Header.Get("Cache-Control"); tt.wantCache != "" && !strings.Contains(cc, tt.wantCache) {
				t.Errorf("Cache-Control = %q, want %q", cc, tt.wantCache)
			}
			if tt.wantStatus == http.StatusOK && len(body) == 0 {
				t.Error("empty body")
			}
		})
	}
}

func TestVersionsListsPackages(t *testing.T) {
	_, body := get(t, Handler("t", "", nil), http.MethodGet, "/assets/VERSIONS", nil)
	for _, pkg := range []string{"graphiql@", "@graphiql/plugin-explorer@", "react@", "react-dom@"} {
		if !strings.Contains(body, pkg) {
			t.Errorf("VERSIONS lacks %s", pkg)
		}
	}
}

func TestMountedUnderPrefix(t *testing.T) {
	mux := http.NewServeMux()
	mux.Handle("/playground/", http.StripPrefix("/playground", Handler("t", "/graphql", nil)))
	srv := httptest.NewServer(mux)
	defer srv.Close()

	res, err := http.Get(srv.URL + "/playground") // ServeMux redirects to the slash form
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != http.StatusOK || res.Request.URL.Path != "/playground/" {
		t.Fatalf("GET /playground: status %d at %s", res.StatusCode, res.Request.URL.Path)
	}
	for _, raw := range pageAssetURLs(t, string(page)) {
		ref, err := url.Parse(raw)
		if err != nil {
			t.Fatal(err)
		}
		u := res.Request.URL.ResolveReference(ref)
		ares, err := http.Get(u.String())
		if err != nil {
			t.Fatal(err)
		}
		ares.Body.Close()
		if ares.StatusCode != http.StatusOK {
			t.Errorf("GET %s: status %d", u, ares.StatusCode)
		}
	}
}
