// Package playground serves a GraphiQL page for the startupgraph GraphQL API
// entirely from files embedded in the binary, so it works with no network
// access beyond the API itself: no CDN, no remote fonts, no analytics.
//
// The browser bundles (GraphiQL, its explorer plugin, React and ReactDOM) are
// vendored into the assets directory by scripts/playground-assets.sh, which
// also records their versions in assets/VERSIONS next to their licenses. The
// page, its stylesheet and the boot script live in the web directory.
//
// # URL layout
//
// [Handler] serves, relative to wherever it is mounted:
//
//	/                     the GraphiQL HTML page
//	/assets/<file>        an embedded asset, e.g. /assets/graphiql.min.js
//	/assets/examples.json the example operations the page's Examples plugin offers
//
// The page refers to its assets with relative URLs ("assets/<file>?v=<hash>"),
// so the intended setup is to mount the handler at the site root:
//
//	mux.Handle("/", playground.Handler("startupgraph", "/graphql", all))
//
// It also works below a prefix as long as the page URL ends in a slash, e.g.
//
//	mux.Handle("/playground/", http.StripPrefix("/playground", h))
//
// where ServeMux itself redirects "/playground" to "/playground/".
//
// # Examples
//
// The page has an Examples plugin in GraphiQL's sidebar (web/boot.js)
// that lists the operations given to [Handler], normally
// [examples.All]: issue #17's questions first, then the others by who
// asks them. A click puts one into the editor (a new tab when the current
// one holds the user's own work). The list is served as the asset
// examples.json, built once by Handler.
package playground

import (
	"bytes"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"fmt"
	"html/template"
	"io"
	"io/fs"
	"maps"
	"net/http"
	"net/url"
	"path"
	"strconv"
	"strings"
	"sync"
	"time"

	"startupgraph/examples"
)

// DefaultQuery is the operation shown in the editor the first time a browser
// opens the playground (GraphiQL remembers the user's edits after that).
const DefaultQuery = `# Welcome to startupgraph: the graph of Incheon's Global Startup Campus.
# Press the run button (or Ctrl-Enter) to see the four partner universities.
# More: the Examples list (in the sidebar on the left) has ready-made questions.
{
  universities {
    id
    nameEn
    nameKo
  }
}
`

// DefaultEndpoint is the GraphQL endpoint used when [Handler] is given an
// empty one.
const DefaultEndpoint = "/graphql"

// AssetPrefix is the path, relative to the handler's mount point, under
// which the embedded assets are served.
const AssetPrefix = "/assets/"

//go:embed assets web
var files embed.FS

// assetDirs are the embedded directories whose files are served under
// AssetPrefix, by base name. assets holds the vendored third-party bundles
// (owned by scripts/playground-assets.sh); web holds this package's own files.
var assetDirs = []string{"assets", "web"}

// pageTemplate renders the HTML page; it is not itself served as an asset.
const pageTemplate = "web/index.html"

// asset is one servable embedded file.
type asset struct {
	path        string // path within files; "" for content built by Handler
	content     []byte // the content when path is ""
	contentType string
	hash        string // hex SHA-256 prefix; used for ?v= and the ETag
}

// loadAssets indexes the embedded files once, hashing each of them.
var loadAssets = sync.OnceValues(func() (map[string]asset, error) {
	m := make(map[string]asset)
	for _, dir := range assetDirs {
		entries, err := fs.ReadDir(files, dir)
		if err != nil {
			return nil, err
		}
		for _, e := range entries {
			p := path.Join(dir, e.Name())
			if e.IsDir() || p == pageTemplate {
				continue
			}
			if prev, ok := m[e.Name()]; ok {
				return nil, fmt.Errorf("playground: asset %q is in both %s and %s", e.Name(), prev.path, p)
			}
			f, err := files.Open(p)
			if err != nil {
				return nil, err
			}
			sum := sha256.New()
			_, err = io.Copy(sum, f)
			f.Close()
			if err != nil {
				return nil, err
			}
			m[e.Name()] = asset{
				path:        p,
				contentType: contentType(e.Name()),
				hash:        hex.EncodeToString(sum.Sum(nil))[:16],
			}
		}
	}
	return m, nil
})

// hashOf is the hash of content, as loadAssets computes it for files.
func hashOf(content []byte) string {
	sum := sha256.Sum256(content)
	return hex.EncodeToString(sum[:])[:16]
}

// contentType maps the file extensions used by the embedded assets to MIME
// types explicitly, rather than trusting the host's mime.types.
func contentType(name string) string {
	switch path.Ext(name) {
	case ".js":
		return "text/javascript; charset=utf-8"
	case ".css":
		return "text/css; charset=utf-8"
	case ".json":
		return "application/json"
	default: // LICENSE.*, VERSIONS
		return "text/plain; charset=utf-8"
	}
}

// parsePage parses the embedded page template against the asset index.
func parsePage(assets map[string]asset) (*template.Template, error) {
	funcs := template.FuncMap{
		// asset turns an asset name into the relative URL the page uses.
		"asset": func(name string) (string, error) {
			a, ok := assets[name]
			if !ok {
				return "", fmt.Errorf("playground: page refers to unknown asset %q", name)
			}
			return strings.TrimPrefix(AssetPrefix, "/") + name + "?v=" + a.hash, nil
		},
	}
	return template.New(path.Base(pageTemplate)).Funcs(funcs).ParseFS(files, pageTemplate)
}

// handler serves the page and the assets; see Handler.
type handler struct {
	page   []byte
	csp    string
	assets map[string]asset
}

// Handler returns an http.Handler serving a GraphiQL page titled title that
// sends its queries to endpoint, plus the page's embedded assets and the
// example operations ex for its Examples plugin (none when ex is empty).
// See the package documentation for the URL layout.
//
// endpoint is used by the browser as written, so it may be a path such as
// "/graphql" (the default when endpoint is "") or an absolute http(s) URL;
// for the latter, its origin is added to the page's connect-src
// Content-Security-Policy directive.
//
// Handler panics if the embedded files are unusable, which can only happen
// if the package itself is broken, or if an example's test variables are
// not JSON (the tests catch both).
func Handler(title, endpoint string, ex []examples.Example) http.Handler {
	if endpoint == "" {
		endpoint = DefaultEndpoint
	}
	embedded, err := loadAssets()
	if err != nil {
		panic(err)
	}
	list, err := examplesJSON(ex)
	if err != nil {
		panic(err)
	}
	assets := maps.Clone(embedded)
	if _, ok := assets[ExamplesAsset]; ok {
		panic(fmt.Sprintf("playground: an embedded file is named %s", ExamplesAsset))
	}
	assets[ExamplesAsset] = asset{content: list, contentType: contentType(ExamplesAsset), hash: hashOf(list)}
	tmpl, err := parsePage(assets)
	if err != nil {
		panic(err)
	}
	var buf bytes.Buffer
	err = tmpl.Execute(&buf, struct {
		Title, Endpoint, Export, DefaultQuery string
	}{title, endpoint, exportEndpoint(endpoint), DefaultQuery})
	if err != nil {
		panic(err)
	}
	return &handler{page: buf.Bytes(), csp: contentSecurityPolicy(endpoint), assets: assets}
}

// exportEndpoint is where the page's Download CSV / XLSX buttons send the
// current query: /export beside the GraphQL endpoint (…/graphql); ""
// (no buttons) for an endpoint not named so.
func exportEndpoint(endpoint string) string {
	if base, ok := strings.CutSuffix(endpoint, "/graphql"); ok {
		return base + "/export"
	}
	return ""
}

// contentSecurityPolicy returns the page's CSP: everything from the serving
// origin only, nothing inline. Fonts and images may also be data: URLs,
// because graphiql.min.css inlines its fonts that way.
//
// One known, harmless violation remains: when a GraphiQL dialog (settings,
// short keys) opens, its scroll-lock helper tries to inject a <style> element
// whose content varies, so no hash can allow it. The browser blocks it and
// logs a CSP error; the dialog still works because the page never scrolls.
func contentSecurityPolicy(endpoint string) string {
	connect := "'self'"
	if u, err := url.Parse(endpoint); err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != "" &&
		!strings.ContainsAny(u.Host, " ;,'\"") {
		connect += " " + u.Scheme + "://" + u.Host
	}
	return strings.Join([]string{
		"default-src 'none'",
		"script-src 'self'",
		"style-src 'self'",
		"connect-src " + connect,
		"img-src 'self' data:",
		"font-src 'self' data:",
		"base-uri 'none'",
		"form-action 'none'",
		"frame-ancestors 'none'",
	}, "; ")
}

// ServeHTTP implements http.Handler.
func (h *handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("X-Content-Type-Options", "nosniff")
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		http.Error(w, http.StatusText(http.StatusMethodNotAllowed), http.StatusMethodNotAllowed)
		return
	}
	switch p := r.URL.Path; {
	case p == "/" || p == "":
		h.servePage(w, r)
	case strings.HasPrefix(p, AssetPrefix):
		h.serveAsset(w, r, strings.TrimPrefix(p, AssetPrefix))
	default:
		http.NotFound(w, r)
	}
}

// servePage writes the rendered HTML page.
func (h *handler) servePage(w http.ResponseWriter, r *http.Request) {
	hdr := w.Header()
	hdr.Set("Content-Type", "text/html; charset=utf-8")
	hdr.Set("Content-Security-Policy", h.csp)
	hdr.Set("Referrer-Policy", "no-referrer")
	hdr.Set("Cache-Control", "no-cache")
	hdr.Set("Content-Length", strconv.Itoa(len(h.page)))
	w.WriteHeader(http.StatusOK)
	if r.Method != http.MethodHead {
		w.Write(h.page)
	}
}

// serveAsset serves one embedded asset. Requests carrying the current
// content hash as ?v= (as the page's URLs do) may be cached for a year;
// others must revalidate, which the ETag makes cheap.
func (h *handler) serveAsset(w http.ResponseWriter, r *http.Request, name string) {
	a, ok := h.assets[name]
	if !ok {
		http.NotFound(w, r)
		return
	}
	var content io.ReadSeeker = bytes.NewReader(a.content)
	if a.path != "" {
		f, err := files.Open(a.path)
		if err != nil {
			http.Error(w, http.StatusText(http.StatusInternalServerError), http.StatusInternalServerError)
			return
		}
		defer f.Close()
		content, ok = f.(io.ReadSeeker) // embed.FS files are seekable
		if !ok {
			http.Error(w, http.StatusText(http.StatusInternalServerError), http.StatusInternalServerError)
			return
		}
	}
	hdr := w.Header()
	hdr.Set("Content-Type", a.contentType)
	hdr.Set("ETag", `"`+a.hash+`"`)
	if r.URL.Query().Get("v") == a.hash {
		hdr.Set("Cache-Control", "public, max-age=31536000, immutable")
	} else {
		hdr.Set("Cache-Control", "no-cache")
	}
	// The embedded files have no modification time; the ETag stands in.
	http.ServeContent(w, r, name, time.Time{}, content)
}
