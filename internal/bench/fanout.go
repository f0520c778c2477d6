package bench

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"io"
	"net/http"

	"github.com/lib/pq"

	"startupgraph/internal/globalid"
)

// The fan-out query of issue 22: about 1,000 startups with their sectors
// and mentors, as a mentoring dashboard asks them: the first 100 mentors,
// the first 10 startups of each (with the mentorship's focus), each
// startup's first 3 sectors and first 5 mentors, with both names of
// everything. (The same shape as issue 22's measurements, "943
// startups" at 20,000, with the sectors and Korean names added.) Its
// floor, like the nested query's, is a net/http + lib/pq handler answering
// the same JSON with one hand-written statement; it is checked to answer
// byte for byte what the server answers before it is measured.
const fanoutQuery = `{ mentors(first: 100) { nodes { id nameKo nameEn startups(first: 10) { edges { focus node { id nameKo nameEn stage ` +
	`sectors(first: 3) { nodes { key nameKo nameEn } } mentors(first: 5) { edges { focus node { nameKo nameEn } } } } } } } } }`

// fanoutFloorName names the fan-out query's HTTP floor.
const fanoutFloorName = "fanout-floor"

// fanoutSQL answers fanoutQuery in one statement, in the API's orders:
// mentors by English name (the id breaks ties), a mentor's startups and a
// startup's sectors and mentors in the order the edges were recorded. A
// startup's sectors and mentors come as arrays, so each startup is one
// row.
const fanoutSQL = `
SELECT mt.id, mt.name_ko, mt.name_en, s.focus, s.id, s.name_ko, s.name_en, s.stage,
       ss.keys, ss.kos, ss.ens, ms.focus, ms.kos, ms.ens
FROM (SELECT id, name_ko, name_en FROM mentors ORDER BY name_en, id LIMIT 100) mt
LEFT JOIN LATERAL (
    SELECT e.id AS ord, e.focus, n.id, n.name_ko, n.name_en, n.stage
    FROM mentorships e JOIN startups n ON n.id = e.startup_id
    WHERE e.mentor_id = mt.id
    ORDER BY e.id
    LIMIT 10) s ON true
LEFT JOIN LATERAL (
    SELECT array_agg(x.key ORDER BY x.ord) AS keys, array_agg(x.name_ko ORDER BY x.ord) AS kos, array_agg(x.name_en ORDER BY x.ord) AS ens
    FROM (SELECT e.id AS ord, n.key, n.name_ko, n.name_en
          FROM startup_sectors e JOIN sectors n ON n.id = e.sector_id
          WHERE e.startup_id = s.id
          ORDER BY e.id
          LIMIT 3) x) ss ON true
LEFT JOIN LATERAL (
    SELECT array_agg(x.focus ORDER BY x.ord) AS focus, array_agg(x.name_ko ORDER BY x.ord) AS kos, array_agg(x.name_en ORDER BY x.ord) AS ens
    FROM (SELECT e.id AS ord, e.focus, n.name_ko, n.name_en
          FROM mentorships e JOIN mentors n ON n.id = e.mentor_id
          WHERE e.startup_id = s.id
          ORDER BY e.id
          LIMIT 5) x) ms ON true
ORDER BY mt.name_en, mt.id, s.ord`

// The response shape of fanoutQuery, field for field in the query's
// order, so that encoding/json writes the server's bytes.
type (
	fanoutResponse struct {
		Data struct {
			Mentors struct {
				Nodes []fanoutMentor `json:"nodes"`
			} `json:"mentors"`
		} `json:"data"`
	}
	fanoutMentor struct {
		ID       string `json:"id"`
		NameKo   string `json:"nameKo"`
		NameEn   string `json:"nameEn"`
		Startups struct {
			Edges []fanoutStartupEdge `json:"edges"`
		} `json:"startups"`
	}
	fanoutStartupEdge struct {
		Focus string        `json:"focus"`
		Node  fanoutStartup `json:"node"`
	}
	fanoutStartup struct {
		ID      string `json:"id"`
		NameKo  string `json:"nameKo"`
		NameEn  string `json:"nameEn"`
		Stage   string `json:"stage"`
		Sectors struct {
			Nodes []fanoutSector `json:"nodes"`
		} `json:"sectors"`
		Mentors struct {
			Edges []fanoutMentorEdge `json:"edges"`
		} `json:"mentors"`
	}
	fanoutSector struct {
		Key    string `json:"key"`
		NameKo string `json:"nameKo"`
		NameEn string `json:"nameEn"`
	}
	fanoutMentorEdge struct {
		Focus string        `json:"focus"`
		Node  fanoutBilabel `json:"node"`
	}
	fanoutBilabel struct {
		NameKo string `json:"nameKo"`
		NameEn string `json:"nameEn"`
	}
)

// fetchFanout runs fanoutSQL and builds the response.
func fetchFanout(ctx context.Context, db *sql.DB) (*fanoutResponse, error) {
	rows, err := db.QueryContext(ctx, fanoutSQL)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := &fanoutResponse{}
	mentors := []fanoutMentor{}
	last := int64(-1)
	var keys, kos, ens, focus, mkos, mens pq.StringArray
	for rows.Next() {
		var mid int64
		var m fanoutMentor
		var sid sql.NullInt64
		var sfocus, sko, sen, stage sql.NullString
		if err := rows.Scan(&mid, &m.NameKo, &m.NameEn, &sfocus, &sid, &sko, &sen, &stage,
			&keys, &kos, &ens, &focus, &mkos, &mens); err != nil {
			return nil, err
		}
		if mid != last {
			m.ID = globalid.Encode(globalid.Mentor, mid)
			m.Startups.Edges = []fanoutStartupEdge{}
			mentors = append(mentors, m)
			last = mid
		}
		if !sid.Valid {
			continue
		}
		e := fanoutStartupEdge{Focus: sfocus.String, Node: fanoutStartup{
			ID: globalid.Encode(globalid.Startup, sid.Int64), NameKo: sko.String, NameEn: sen.String, Stage: stage.String}}
		e.Node.Sectors.Nodes = make([]fanoutSector, len(keys))
		for i := range keys {
			e.Node.Sectors.Nodes[i] = fanoutSector{Key: keys[i], NameKo: kos[i], NameEn: ens[i]}
		}
		e.Node.Mentors.Edges = make([]fanoutMentorEdge, len(focus))
		for i := range focus {
			e.Node.Mentors.Edges[i] = fanoutMentorEdge{Focus: focus[i], Node: fanoutBilabel{NameKo: mkos[i], NameEn: mens[i]}}
		}
		me := &mentors[len(mentors)-1]
		me.Startups.Edges = append(me.Startups.Edges, e)
	}
	out.Data.Mentors.Nodes = mentors
	return out, rows.Err()
}

// marshalExact encodes v as the server writes JSON: no HTML escaping, no
// trailing newline.
func marshalExact(v any) ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(b.Bytes(), []byte("\n")), nil
}

// fanoutFloorHandler is the fan-out query's HTTP floor: it reads the
// request body (as a server must), ignores it and answers fanoutQuery's
// JSON.
func fanoutFloorHandler(db *sql.DB) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		resp, err := fetchFanout(r.Context(), db)
		if err != nil {
			http.Error(w, `{"errors":[{"message":"floor failed"}]}`, http.StatusInternalServerError)
			return
		}
		b, err := marshalExact(resp)
		if err != nil {
			http.Error(w, `{"errors":[{"message":"floor failed"}]}`, http.StatusInternalServerError)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(b)
	})
}

// checkFanoutFloor makes sure the fan-out floor answers byte for byte
// what the server answers for fanoutQuery, and that the answer holds
// about the 1,000 startups the issue names (fewer only on a small
// dataset).
func checkFanoutFloor(ctx context.Context, client *http.Client, endpoint, key string, body []byte, db *sql.DB) (startups int, err error) {
	want, err := post(ctx, client, endpoint, key, body)
	if err != nil {
		return 0, fmt.Errorf("fan-out query: %w", err)
	}
	resp, err := fetchFanout(ctx, db)
	if err != nil {
		return 0, fmt.Errorf("fan-out floor: %w", err)
	}
	got, err := marshalExact(resp)
	if err != nil {
		return 0, err
	}
	if !bytes.Equal(want, got) {
		i := firstDifference(want, got)
		lo := max(0, i-150)
		return 0, fmt.Errorf("the fan-out floor does not return the bytes the server returns (first difference at byte %d of %d/%d):\nserver: …%s\nfloor:  …%s",
			i, len(want), len(got), clip(want[lo:], 300), clip(got[lo:], 300))
	}
	for _, m := range resp.Data.Mentors.Nodes {
		startups += len(m.Startups.Edges)
	}
	return startups, nil
}

func firstDifference(a, b []byte) int {
	n := min(len(a), len(b))
	for i := range n {
		if a[i] != b[i] {
			return i
		}
	}
	return n
}
