package bench

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"reflect"
	"time"

	_ "github.com/lib/pq" // the driver the server uses
)

// The floors answer nestedQuery by hand, to show what the GraphQL server
// costs over plain SQL (the database floor) and over a minimal HTTP
// service (the HTTP floor). Both use one statement, written for this query
// alone, with the same order and limits as the API: universities by
// English name, each one's first 10 assignments in the order recorded,
// each startup's first 5 mentorships in the order recorded. Names are the
// English ones, as `name` gives without Accept-Language.
const floorSQL = `
SELECT u.id, s.ord, s.name_en, m.focus, m.name_en
FROM universities u
LEFT JOIN LATERAL (
    SELECT e.id AS ord, n.id, n.name_en
    FROM assignments e JOIN startups n ON n.id = e.startup_id
    WHERE e.university_id = u.id
    ORDER BY e.id
    LIMIT 10) s ON true
LEFT JOIN LATERAL (
    SELECT ms.id AS ord, ms.focus, mn.name_en
    FROM mentorships ms JOIN mentors mn ON mn.id = ms.mentor_id
    WHERE ms.startup_id = s.id
    ORDER BY ms.id
    LIMIT 5) m ON true
ORDER BY u.name_en, u.id, s.ord, m.ord`

// The response shape of nestedQuery.
type (
	floorResponse struct {
		Data struct {
			Universities []floorUniversity `json:"universities"`
		} `json:"data"`
	}
	floorUniversity struct {
		Startups struct {
			Edges []floorStartupEdge `json:"edges"`
		} `json:"startups"`
	}
	floorStartupEdge struct {
		Node floorStartup `json:"node"`
	}
	floorStartup struct {
		Name    string `json:"name"`
		Mentors struct {
			Edges []floorMentorEdge `json:"edges"`
		} `json:"mentors"`
	}
	floorMentorEdge struct {
		Focus string `json:"focus"`
		Node  struct {
			Name string `json:"name"`
		} `json:"node"`
	}
)

// fetchNested runs floorSQL and builds the response.
func fetchNested(ctx context.Context, db *sql.DB) (*floorResponse, error) {
	rows, err := db.QueryContext(ctx, floorSQL)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := &floorResponse{}
	us := out.Data.Universities[:0]
	lastU, lastS := int64(-1), int64(-1)
	for rows.Next() {
		var uid int64
		var sord sql.NullInt64
		var sname, focus, mname sql.NullString
		if err := rows.Scan(&uid, &sord, &sname, &focus, &mname); err != nil {
			return nil, err
		}
		if uid != lastU {
			us = append(us, floorUniversity{})
			us[len(us)-1].Startups.Edges = []floorStartupEdge{}
			lastU, lastS = uid, -1
		}
		u := &us[len(us)-1]
		if !sord.Valid {
			continue
		}
		if sord.Int64 != lastS {
			e := floorStartupEdge{Node: floorStartup{Name: sname.String}}
			e.Node.Mentors.Edges = []floorMentorEdge{}
			u.Startups.Edges = append(u.Startups.Edges, e)
			lastS = sord.Int64
		}
		if focus.Valid {
			s := &u.Startups.Edges[len(u.Startups.Edges)-1].Node
			m := floorMentorEdge{Focus: focus.String}
			m.Node.Name = mname.String
			s.Mentors.Edges = append(s.Mentors.Edges, m)
		}
	}
	out.Data.Universities = us
	if out.Data.Universities == nil {
		out.Data.Universities = []floorUniversity{}
	}
	return out, rows.Err()
}

// dbFloorOp fetches the nested data by hand-written SQL, with no HTTP.
func dbFloorOp(db *sql.DB) op {
	return func(ctx context.Context, _, _ int) (int, error) {
		_, err := fetchNested(ctx, db)
		return 0, err
	}
}

// floorHandler is the HTTP floor: net/http and lib/pq answering
// nestedQuery's JSON, with no GraphQL. It reads the request body (as a
// server must) and ignores it.
func floorHandler(db *sql.DB) http.Handler {
	return jsonFloorHandler(db, func(ctx context.Context, db *sql.DB) (any, error) { return fetchNested(ctx, db) })
}

// httpFloor is the HTTP floor's server on 127.0.0.1.
type httpFloor struct {
	srv *http.Server
	URL string
}

func startHTTPFloor(db *sql.DB) (*httpFloor, error) {
	return serveFloor(floorHandler(db), "/graphql")
}

// serveFloor serves h on a free port of 127.0.0.1; URL is its address
// with path.
func serveFloor(h http.Handler, path string) (*httpFloor, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 5 * time.Second, ErrorLog: log.New(io.Discard, "", 0)}
	go func() { _ = srv.Serve(ln) }()
	return &httpFloor{srv: srv, URL: "http://" + ln.Addr().String() + path}, nil
}

func (f *httpFloor) stop() {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_ = f.srv.Shutdown(ctx)
}

// openFloorDB opens the floors' pool with the server's pool settings, so
// both sides have the same number of database connections.
func openFloorDB(ctx context.Context, dsn string, p poolSettings) (*sql.DB, error) {
	db, err := sql.Open("postgres", dsn)
	if err != nil {
		return nil, err
	}
	db.SetMaxOpenConns(p.maxOpen)
	db.SetMaxIdleConns(p.maxIdle)
	db.SetConnMaxLifetime(p.maxLifetime)
	db.SetConnMaxIdleTime(p.maxIdleTime)
	if err := db.PingContext(ctx); err != nil {
		_ = db.Close()
		return nil, err
	}
	return db, nil
}

// sameJSON reports whether two JSON documents hold the same value.
func sameJSON(a, b []byte) error {
	var va, vb any
	if err := json.Unmarshal(a, &va); err != nil {
		return fmt.Errorf("first document: %w", err)
	}
	if err := json.Unmarshal(b, &vb); err != nil {
		return fmt.Errorf("second document: %w", err)
	}
	if !reflect.DeepEqual(va, vb) {
		return errors.New("the documents differ")
	}
	return nil
}
