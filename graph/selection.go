package graph

import (
	"context"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"

	"startupgraph/internal/i18n"
	"startupgraph/internal/store"
)

// nodeOmits and edgeOmits name, for each column group a page can leave out
// (store.Omit), the field of a connection's nodes or edges that reads it.
var (
	nodeOmits = map[string]store.Omit{
		"key": store.OmitKey, "description": store.OmitDescription, "foundedOn": store.OmitFoundedOn, "version": store.OmitVersion,
		"archivedAt": store.OmitArchivedAt, "provenance": store.OmitProvenance, "title": store.OmitTitle,
		"languages": store.OmitLanguages, "createdAt": store.OmitStamps, "updatedAt": store.OmitStamps,
		"nameKo": store.OmitNameKo, "nameEn": store.OmitNameEn, "stage": store.OmitStage, "facility": store.OmitFacility,
		"taskForceMember": store.OmitTaskForce, "affiliation": store.OmitAffiliation,
	}
	edgeOmits = map[string]store.Omit{
		"focus": store.OmitFocus, "purpose": store.OmitPurpose, "status": store.OmitStatus,
		"priority": store.OmitPriority, "since": store.OmitSince, "until": store.OmitUntil,
		"joinedOn": store.OmitJoinedOn, "createdAt": store.OmitEdgeStamps, "updatedAt": store.OmitEdgeStamps,
	}
	omitAll = func() (all store.Omit) {
		for _, m := range []map[string]store.Omit{nodeOmits, edgeOmits} {
			for _, o := range m {
				all |= o
			}
		}
		return all
	}()
)

// pageArgs validates a connection's pagination arguments (store.NewPageArgs)
// and leaves out of the page the columns of the node and edge fields the
// client does not select.
func pageArgs(ctx context.Context, first, last *int, after, before *string) (store.PageArgs, error) {
	page, err := store.NewPageArgs(first, last, after, before)
	if err == nil {
		page.Omit = unselected(ctx)
		if after == nil && before == nil && totalsOnly(ctx) { // a cursor is still checked
			page = page.WithoutRows()
		} else if selectsTotal(ctx) {
			page = page.WithTotal()
		}
	}
	return page, err
}

// unselected returns the column groups of the connection field being
// resolved whose fields the client selects on none of its nodes (under
// nodes or edges { node }) or edges, fragments included. It reads the
// query document only and allocates nothing, so each of a thousand sibling
// connections can ask.
func unselected(ctx context.Context) store.Omit {
	fc := graphql.GetFieldContext(ctx)
	if fc == nil || fc.Field.Field == nil {
		return 0
	}
	omit := omitAll
	if !connectionSelects(fc.Field.Selections, i18n.From(ctx), &omit) {
		return 0
	}
	return omit
}

// connectionSelects clears from omit the groups whose fields set, the
// selection of a connection, selects. It reports false when it cannot tell
// (a fragment the validator left unresolved).
// locale is the request's default language, which name reads.
func connectionSelects(set ast.SelectionSet, locale i18n.Locale, omit *store.Omit) bool {
	return eachField(set, func(f *ast.Field, omit *store.Omit) bool {
		switch f.Name {
		case "nodes":
			return clearNodeFields(f.SelectionSet, locale, omit)
		case "edges":
			return eachField(f.SelectionSet, func(f *ast.Field, omit *store.Omit) bool {
				if f.Name == "node" {
					return clearNodeFields(f.SelectionSet, locale, omit)
				}
				*omit &^= edgeOmits[f.Name]
				return true
			}, omit)
		}
		return true
	}, omit)
}

// clearNodeFields clears from omit the groups of the node fields set
// selects. name reads the name in the request's language (locale), or,
// given a locale argument, either.
func clearNodeFields(set ast.SelectionSet, locale i18n.Locale, omit *store.Omit) bool {
	return eachField(set, func(f *ast.Field, omit *store.Omit) bool {
		switch {
		case f.Name != "name":
			*omit &^= nodeOmits[f.Name]
		case len(f.Arguments) > 0:
			*omit &^= store.OmitNameKo | store.OmitNameEn
		case locale == i18n.KO:
			*omit &^= store.OmitNameKo
		default:
			*omit &^= store.OmitNameEn
		}
		return true
	}, omit)
}

// eachField calls fn with each field of set, looking through fragments
// (whatever their type condition: a field that may not apply only keeps
// columns in). It stops and reports false when fn does, or at a fragment
// the validator left unresolved.
func eachField(set ast.SelectionSet, fn func(*ast.Field, *store.Omit) bool, omit *store.Omit) bool {
	for _, sel := range set {
		var ok bool
		switch s := sel.(type) {
		case *ast.Field:
			ok = fn(s, omit)
		case *ast.InlineFragment:
			ok = eachField(s.SelectionSet, fn, omit)
		case *ast.FragmentSpread:
			ok = s.Definition != nil && eachField(s.Definition.SelectionSet, fn, omit)
		default:
			ok = false
		}
		if !ok {
			return false
		}
	}
	return true
}
