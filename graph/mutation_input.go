package graph

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/99designs/gqlgen/graphql"

	"startupgraph/internal/apperr"
	"startupgraph/internal/globalid"
	"startupgraph/internal/model"
	"startupgraph/internal/store"
)

// The checks mutation inputs share: each adds its problems, with the
// field path, to args, so a resolver reports every problem at once.

var (
	keyPattern        = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{0,79}$`)
	languagePattern   = regexp.MustCompile(`^[a-z]{2}$`)
	regionCodePattern = regexp.MustCompile(`^[A-Z][A-Z0-9-]{2,15}$`)
)

func (a *args) text(field string, v string, lo, hi int) string {
	v = strings.TrimSpace(v)
	if n := utf8.RuneCountInString(v); n < lo || n > hi {
		a.problems.Add(field, "must be %d to %d characters", lo, hi)
	}
	return v
}

func (a *args) optText(field string, v *string, hi int) *string {
	if v == nil {
		return nil
	}
	t := strings.TrimSpace(*v)
	if utf8.RuneCountInString(t) > hi {
		a.problems.Add(field, "must be at most %d characters", hi)
	}
	if t == "" {
		return nil
	}
	return &t
}

func (a *args) id(field string, typ globalid.Type, gid string) int64 {
	id, err := globalid.DecodeAs(field, typ, gid)
	a.include(err)
	return id
}

// include adds an input error's problems to a's.
func (a *args) include(err error) {
	var ie *apperr.InputError
	if errors.As(err, &ie) {
		a.problems.Problems = append(a.problems.Problems, ie.Problems...)
	}
}

// pastDate checks a date is not in the future; nil means today.
func (a *args) pastDate(field string, d *model.Date) time.Time {
	today := time.Now().UTC().Truncate(24 * time.Hour)
	if d == nil {
		return today
	}
	if d.After(today) {
		a.problems.Add(field, "must not be in the future")
	}
	return d.Time
}

func (a *args) idempotencyKey(k *string) *string {
	if k != nil && (len(*k) < 1 || len(*k) > 200) {
		a.problems.Add("input.idempotencyKey", "must be 1 to 200 characters")
	}
	return k
}

func (a *args) version(v int) int {
	if v < 1 {
		a.problems.Add("input.expectedVersion", "must be a version read from the node (1 or more)")
	}
	return v
}

func (a *args) sectors(gids []string) []int64 {
	if len(gids) > 10 {
		a.problems.Add("input.sectorIds", "takes at most 10 sectors")
	}
	out := make([]int64, 0, len(gids))
	for i, gid := range gids {
		out = append(out, a.id(fmt.Sprintf("input.sectorIds[%d]", i), globalid.Sector, gid))
	}
	return out
}

// sectorsOrKeys is sectors, or the sectors keys names (sectorKeys):
// not both.
func (a *args) sectorsOrKeys(gids, keys []string) []int64 {
	if keys == nil {
		return a.sectors(gids)
	}
	if gids != nil {
		a.problems.Add("input.sectorIds", "give sectorIds or sectorKeys, not both")
		return nil
	}
	if len(keys) > 10 {
		a.problems.Add("input.sectorKeys", "takes at most 10 sectors")
	}
	if a.byKey == nil {
		a.problems.Add("input.sectorKeys", "cannot name a node by key here")
		return nil
	}
	out := make([]int64, 0, len(keys))
	for i, k := range keys {
		out = append(out, a.lookup(fmt.Sprintf("input.sectorKeys[%d]", i), globalid.Sector, k))
	}
	return out
}

// optNodeChange is optIDChange with the reference's key as the other way
// to name it: a key names a node (it cannot clear the reference; id: null
// does); both is BAD_USER_INPUT naming the id field.
func (a *args) optNodeChange(field string, typ globalid.Type, o graphql.Omittable[*string], key *string) store.Field[*int64] {
	if key == nil {
		return a.optIDChange(field, typ, o)
	}
	if _, set := o.ValueOK(); set {
		a.problems.Add(field, "give %s or %s, not both", lastName(field), lastName(keyField(field, typ)))
		return store.Field[*int64]{}
	}
	return store.Field[*int64]{Set: true, Value: a.optNode(field, typ, nil, key)}
}

// base validates what every created node has.
func (a *args) base(idem *string, key, nameKo, nameEn string, allowDuplicateName *bool) store.NodeBase {
	if !keyPattern.MatchString(key) {
		a.problems.Add("input.key", "must be lowercase letters, digits and hyphens (up to 80), starting with a letter or digit")
	}
	return store.NodeBase{IdempotencyKey: a.idempotencyKey(idem), Key: key,
		NameKo: a.text("input.nameKo", nameKo, 1, 200), NameEn: a.text("input.nameEn", nameEn, 1, 200),
		AllowDuplicateName: allowDuplicateName != nil && *allowDuplicateName}
}

// names validates optional new names; neither may be null. allow says
// that a rename to another node's name is meant (allowDuplicateName).
func (a *args) names(ko, en graphql.Omittable[*string], allow *bool) store.NameChanges {
	n := store.NameChanges{AllowDuplicateName: allow != nil && *allow}
	for _, x := range []struct {
		field string
		in    graphql.Omittable[*string]
		out   *store.Field[string]
	}{{"input.nameKo", ko, &n.NameKo}, {"input.nameEn", en, &n.NameEn}} {
		if v, set := x.in.ValueOK(); set {
			if v == nil {
				a.problems.Add(x.field, "cannot be null")
				continue
			}
			*x.out = store.Field[string]{Set: true, Value: a.text(x.field, *v, 1, 200)}
		}
	}
	return n
}

// optID reads an optional id of typ.
func (a *args) optID(field string, typ globalid.Type, gid *string) *int64 {
	if gid == nil {
		return nil
	}
	id := a.id(field, typ, *gid)
	return &id
}

// optIDChange reads an omittable id of typ (null clears it).
func (a *args) optIDChange(field string, typ globalid.Type, o graphql.Omittable[*string]) store.Field[*int64] {
	v, set := o.ValueOK()
	if !set {
		return store.Field[*int64]{}
	}
	return store.Field[*int64]{Set: true, Value: a.optID(field, typ, v)}
}

func (a *args) optTextChange(field string, o graphql.Omittable[*string], hi int) store.Field[*string] {
	v, set := o.ValueOK()
	if !set {
		return store.Field[*string]{}
	}
	return store.Field[*string]{Set: true, Value: a.optText(field, v, hi)}
}

func (a *args) languages(langs []string) []string {
	if len(langs) > 10 {
		a.problems.Add("input.languages", "takes at most 10 languages")
	}
	for i, l := range langs {
		if !languagePattern.MatchString(l) {
			a.problems.Add(fmt.Sprintf("input.languages[%d]", i), "must be an ISO 639-1 code such as ko or en")
		}
	}
	if langs == nil {
		return []string{}
	}
	return langs
}

func (a *args) year(field string, y int) int {
	if y < 1990 || y > 2100 {
		a.problems.Add(field, "must be between 1990 and 2100")
	}
	return y
}

// args is the input reader of a mutation: its inputs may name a node by
// its key (node, optNode), which the store looks up.
func (r *mutationResolver) args(ctx context.Context) args {
	return args{ctx: ctx, byKey: r.Store.IDByKey}
}

// node reads a required reference to a node that the input gives by its
// id (field, input.startupId) or by its key (input.startupKey; a market's
// code, input.marketCode): exactly one of the two, else BAD_USER_INPUT
// naming field. Every mutation input that names a node reads it here.
func (a *args) node(field string, typ globalid.Type, id, key *string) int64 {
	if id == nil && key == nil {
		a.problems.Add(field, "give %s or %s", lastName(field), lastName(keyField(field, typ)))
		return 0
	}
	if v := a.optNode(field, typ, id, key); v != nil {
		return *v
	}
	return 0
}

// optNode is node for an optional reference: nil when neither is given.
func (a *args) optNode(field string, typ globalid.Type, id, key *string) *int64 {
	kf := keyField(field, typ)
	switch {
	case id != nil && key != nil:
		a.problems.Add(field, "give %s or %s, not both", lastName(field), lastName(kf))
		return nil
	case id != nil:
		v := a.id(field, typ, *id)
		return &v
	case key == nil:
		return nil
	case a.byKey == nil:
		a.problems.Add(kf, "cannot name a node by key here")
		return nil
	}
	v := a.lookup(kf, typ, *key)
	return &v
}

// lookup is the row id of the node of typ whose key is key; a key that
// names nothing is a problem on field.
func (a *args) lookup(field string, typ globalid.Type, key string) int64 {
	v, err := a.byKey(a.ctx, typ, key)
	switch {
	case errors.Is(err, apperr.ErrNotFound):
		a.problems.Add(field, "names no %s", strings.ToLower(string(typ)))
	case err != nil && a.fault == nil:
		a.fault = err
	}
	return v
}

// keyField is the input field that names by key what field names by id:
// startupId -> startupKey, a market's marketId -> marketCode; the node a
// mutation changes, input.id -> input.key (a market's code too).
func keyField(field string, typ globalid.Type) string {
	if strings.HasSuffix(field, ".id") {
		return strings.TrimSuffix(field, "id") + "key"
	}
	base := strings.TrimSuffix(field, "Id")
	if typ == globalid.Market {
		return base + "Code"
	}
	return base + "Key"
}

// lastName is a field path's last name (input.startupId -> startupId).
func lastName(field string) string { return field[strings.LastIndex(field, ".")+1:] }
