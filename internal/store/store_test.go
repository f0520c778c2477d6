package store_test

import (
	"context"
	"errors"
	"testing"

	"startupgraph/internal/apperr"
	"startupgraph/internal/model"
	"startupgraph/internal/store"
	"startupgraph/internal/testdb"
)

func TestMain(m *testing.M) { testdb.Main(m) }

func TestMigrationsAllApplied(t *testing.T) {
	s := testdb.Store(t, testdb.Empty)
	statuses, err := s.MigrationStatuses(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if len(statuses) == 0 {
		t.Fatal("no migrations found")
	}
	for _, st := range statuses {
		if !st.Applied {
			t.Errorf("migration %d (%s) not applied", st.Version, st.Source)
		}
	}
	applied, err := s.Migrate(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if len(applied) != 0 {
		t.Errorf("second migrate applied %v, want nothing", applied)
	}
}

func TestSeedDemoIsIdempotent(t *testing.T) {
	ctx := context.Background()
	s := testdb.Store(t, testdb.Empty)
	if err := s.SeedDemo(ctx); err != nil {
		t.Fatal(err)
	}
	first := snapshot(t, s)
	if err := s.SeedDemo(ctx); err != nil {
		t.Fatal(err)
	}
	second := snapshot(t, s)
	if len(first) == 0 {
		t.Fatal("seed loaded nothing")
	}
	for k, v := range first {
		if second[k] != v {
			t.Errorf("%s: id %d after first seed, %d after second", k, v, second[k])
		}
	}
	if len(first) != len(second) {
		t.Errorf("seed twice: %d nodes, then %d", len(first), len(second))
	}
}

// snapshot maps every seeded node's key to its row id.
func snapshot(t *testing.T, s *store.Store) map[string]int64 {
	t.Helper()
	ctx := context.Background()
	out := map[string]int64{}
	us, err := s.ListUniversities(ctx, nil)
	must(t, err)
	for _, u := range us {
		out["university/"+u.Key] = u.RowID
	}
	orgs, err := s.ListOrganizations(ctx, store.OrganizationFilter{}, nil, nil, page100(t))
	must(t, err)
	for _, x := range orgs.Nodes() {
		out["organization/"+x.Key] = x.RowID
	}
	sectors, err := s.ListSectors(ctx, store.SectorFilter{}, nil, nil, page100(t))
	must(t, err)
	for _, x := range sectors.Nodes() {
		out["sector/"+x.Key] = x.RowID
	}
	programs, err := s.ListPrograms(ctx, store.ProgramFilter{}, nil, nil, page100(t))
	must(t, err)
	for _, x := range programs.Nodes() {
		out["program/"+x.Key] = x.RowID
	}
	funds, err := s.ListFunds(ctx, store.FundFilter{}, nil, nil, page100(t))
	must(t, err)
	for _, x := range funds.Nodes() {
		out["fund/"+x.Key] = x.RowID
	}
	facilities, err := s.ListFacilities(ctx, nil, nil, page100(t))
	must(t, err)
	for _, x := range facilities.Nodes() {
		out["facility/"+x.Key] = x.RowID
	}
	startups, err := s.ListStartups(ctx, store.StartupFilter{}, nil, nil, page100(t))
	must(t, err)
	for _, x := range startups.Nodes() {
		out["startup/"+x.Key] = x.RowID
	}
	mentors, err := s.ListMentors(ctx, store.MentorFilter{}, nil, nil, page100(t))
	must(t, err)
	for _, x := range mentors.Nodes() {
		out["mentor/"+x.Key] = x.RowID
	}
	return out
}

func page100(t *testing.T) store.PageArgs {
	t.Helper()
	n := 100
	p, err := store.NewPageArgs(&n, nil, nil, nil)
	must(t, err)
	return p
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// TestDemoFacts checks the article's facts survive the seed exactly.
func TestDemoFacts(t *testing.T) {
	ctx := context.Background()
	s := testdb.Store(t, testdb.Demo)

	us, err := s.ListUniversities(ctx, nil)
	must(t, err)
	wantUni := map[string]string{
		"suny-korea": "한국뉴욕주립대", "university-of-utah": "유타대",
		"ghent-university": "겐트대", "george-mason-university": "조지메이슨대",
	}
	if len(us) != len(wantUni) {
		t.Errorf("got %d universities, want %d", len(us), len(wantUni))
	}
	for _, u := range us {
		if wantUni[u.Key] != u.NameKo {
			t.Errorf("university %s: Korean name %q, want %q", u.Key, u.NameKo, wantUni[u.Key])
		}
		if u.NameEn == "" || !u.MouPartner || u.Provenance != model.ProvenanceArticle {
			t.Errorf("university %s: %+v", u.Key, u)
		}
	}

	funds, err := s.ListFunds(ctx, store.FundFilter{}, nil, nil, page100(t))
	must(t, err)
	fs := funds.Nodes()
	wantFund := map[string]model.KRW{"creative-growth-venture-fund": 36_500_000_000, "smart-venture-campus-national-grant": 1_950_000_000}
	for _, f := range fs {
		if want, ok := wantFund[f.Key]; ok && f.Size != want {
			t.Errorf("fund %s: size %d, want %d", f.Key, f.Size, want)
		}
		delete(wantFund, f.Key)
	}
	if len(wantFund) != 0 {
		t.Errorf("funds missing: %v", wantFund)
	}

	sectors, err := s.ListSectors(ctx, store.SectorFilter{}, nil, nil, page100(t))
	must(t, err)
	taskForce := 0
	for _, x := range sectors.Nodes() {
		if x.TaskForceField {
			taskForce++
		}
	}
	if taskForce != 4 {
		t.Errorf("task-force sectors: %d, want 4", taskForce)
	}

	facilities, err := s.ListFacilities(ctx, nil, nil, page100(t))
	must(t, err)
	fa := facilities.Nodes()
	var campus *model.Facility
	for i := range fa {
		if fa[i].Key == "global-startup-campus" {
			campus = fa[i]
		}
	}
	if campus == nil || campus.AreaSquareMeters == nil || *campus.AreaSquareMeters != 4349 {
		t.Fatalf("campus facility wrong: %+v", fa)
	}
	if len(fa) != 7 {
		t.Errorf("facilities: %d, want the campus and its 6 spaces", len(fa))
	}
}

// TestUnavailableDatabaseIsTranslated checks that a closed pool surfaces as
// an internal error that carries no sentinel the client could see as
// something else, and that a dead server is ErrUnavailable.
func TestUnavailableDatabaseIsTranslated(t *testing.T) {
	ctx := context.Background()
	_, err := store.Open(ctx, "postgres://nobody:x@127.0.0.1:1/none?sslmode=disable&connect_timeout=2", store.PoolConfig{MaxOpen: 1})
	if !errors.Is(err, apperr.ErrUnavailable) {
		t.Fatalf("open on a closed port: %v, want ErrUnavailable", err)
	}
}

// TestSessionDefaults: the store's sessions carry the timeouts and memory
// settings unless the URL overrides them.
func TestSessionDefaults(t *testing.T) {
	s := testdb.Store(t, testdb.Empty)
	for setting, want := range map[string]string{"statement_timeout": "30s", "lock_timeout": "5s", "idle_in_transaction_session_timeout": "1min", "work_mem": "32MB", "jit": "off"} {
		var got string
		if err := s.DB().GetContext(context.Background(), &got, "SELECT current_setting($1)", setting); err != nil {
			t.Fatal(err)
		}
		if got != want {
			t.Errorf("%s = %s, want %s", setting, got, want)
		}
	}
	// The migrations' sessions have the same settings but no statement
	// timeout: a migration may rewrite a whole table.
	got, err := s.MigrationSetting(context.Background(), "statement_timeout")
	if err != nil {
		t.Fatal(err)
	}
	if got != "0" {
		t.Errorf("migrations' statement_timeout = %s, want 0", got)
	}
	if got, err := s.MigrationSetting(context.Background(), "lock_timeout"); err != nil || got != "5s" {
		t.Errorf("migrations' lock_timeout = %s (%v), want 5s", got, err)
	}
}
