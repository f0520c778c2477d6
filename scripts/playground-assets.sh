#!/usr/bin/env bash
# playground-assets.sh — (re)vendor the GraphiQL browser bundle used by
# internal/playground.
#
# The playground is served entirely from files embedded in the Go binary with
# go:embed, so it works with no outside network access at all. This script
# fetches pinned package versions from the npm registry with `npm pack`,
# checks each tarball against a pinned Subresource-Integrity hash, and copies
# only the minified browser (UMD) builds plus each package's license into
# internal/playground/assets/. The vendored files are byte-identical to the
# ones in the npm tarballs.
#
# Usage: scripts/playground-assets.sh        (from anywhere inside the repo)
#
# To upgrade: change the versions below, set the matching *_INTEGRITY values
# (`npm view <pkg>@<version> dist.integrity`), re-run, and check in a browser.
# The explorer plugin's peer dependency on @graphiql/react must match the one
# graphiql bundles (graphiql 3.9.0 and @graphiql/plugin-explorer 3.2.6 both use
# @graphiql/react ^0.29). graphiql 4.x also ships a UMD build (pair it with
# @graphiql/plugin-explorer 4.x; untested here); graphiql 5+ ships none, so it
# cannot be vendored this way. React 19 ships no UMD build either: stay on 18.
set -euo pipefail

GRAPHIQL_VERSION=3.9.0
GRAPHIQL_INTEGRITY='sha512-rJYFlHdBbug9+YbFSwRVvgfPjCayC7wHecZkx/qB4XLuQPFQZw/yB9pmHFtOJV6RiNBBHro3u1GdocKa3YcGRA=='
EXPLORER_VERSION=3.2.6
EXPLORER_INTEGRITY='sha512-MXzG/zVNzZfes4Em253bHyAbD/lwwAZkPKvxCAQkjz0i3dtcv4uF3D8iqJ7214iu3SCphbORYZZUC93fik1yew=='
# graphiql-explorer is bundled inside the plugin's UMD build; it is fetched
# only for its LICENSE file.
GRAPHIQL_EXPLORER_VERSION=0.9.0
GRAPHIQL_EXPLORER_INTEGRITY='sha512-fZC/wsuatqiQDO2otchxriFO0LaWIo/ovF/CQJ1yOudmY0P7pzDiP+l9CEHUiWbizk3e99x6DQG4XG1VxA+d6A=='
REACT_VERSION=18.3.1
REACT_INTEGRITY='sha512-wS+hAgJShR0KhEvPJArfuPVN1+Hz1t0Y6n5jLrGQbkb4urgPE/0Rve+1kMB1v/oWgHgm4WIcV+i7F2pTVj+2iQ=='
REACT_DOM_VERSION=18.3.1
REACT_DOM_INTEGRITY='sha512-5m4nQKp+rZRb09LNH59GM4BxTh9251/ylbKIbpe7TpGxfJ+9kv6BLkLBXIjjspbgbnIBNqlI23tRnTWT0snUIw=='

die() { echo "playground-assets: $*" >&2; exit 1; }

command -v npm >/dev/null || die "npm is required"
command -v tar >/dev/null || die "tar is required"
command -v openssl >/dev/null || command -v sha512sum >/dev/null || die "openssl or sha512sum is required"

script_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo_root=$(cd "$script_dir/.." && pwd)
out="$repo_root/internal/playground/assets"

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# sri FILE -> "sha512-<base64>" of FILE.
sri() {
	if command -v openssl >/dev/null; then
		printf 'sha512-%s' "$(openssl dgst -sha512 -binary "$1" | base64 -w0)"
	else
		printf 'sha512-%s' "$(sha512sum "$1" | cut -d' ' -f1 | xxd -r -p | base64 -w0)"
	fi
}

# fetch NAME VERSION INTEGRITY DIR: npm pack NAME@VERSION, verify it, and
# unpack it into $work/DIR/package.
fetch() {
	local name=$1 version=$2 want=$3 dir=$4 tgz got
	mkdir -p "$work/$dir"
	tgz=$(cd "$work/$dir" && npm pack --silent --ignore-scripts "$name@$version" | tail -n1)
	[ -f "$work/$dir/$tgz" ] || die "npm pack $name@$version produced no tarball"
	got=$(sri "$work/$dir/$tgz")
	[ "$got" = "$want" ] || die "integrity mismatch for $name@$version: got $got, want $want"
	tar -xzf "$work/$dir/$tgz" -C "$work/$dir"
	echo "fetched $name@$version ($got)" >&2
}

fetch graphiql "$GRAPHIQL_VERSION" "$GRAPHIQL_INTEGRITY" graphiql
fetch @graphiql/plugin-explorer "$EXPLORER_VERSION" "$EXPLORER_INTEGRITY" explorer
fetch graphiql-explorer "$GRAPHIQL_EXPLORER_VERSION" "$GRAPHIQL_EXPLORER_INTEGRITY" graphiql-explorer
fetch react "$REACT_VERSION" "$REACT_INTEGRITY" react
fetch react-dom "$REACT_DOM_VERSION" "$REACT_DOM_INTEGRITY" react-dom

# Stage everything first so a failure never leaves a half-written assets dir.
stage="$work/out"
mkdir -p "$stage"

# copy SRC DEST: copy a file out of an unpacked tarball, insisting it exists.
copy() {
	[ -s "$work/$1" ] || die "missing or empty file in tarball: $1"
	cp "$work/$1" "$stage/$2"
}

copy react/package/umd/react.production.min.js react.production.min.js
copy react/package/LICENSE LICENSE.react
copy react-dom/package/umd/react-dom.production.min.js react-dom.production.min.js
copy react-dom/package/LICENSE LICENSE.react-dom
copy graphiql/package/graphiql.min.js graphiql.min.js
copy graphiql/package/graphiql.min.css graphiql.min.css
copy graphiql/package/LICENSE LICENSE.graphiql
copy explorer/package/dist/index.umd.js graphiql-plugin-explorer.min.js
copy explorer/package/dist/style.css graphiql-plugin-explorer.min.css
copy graphiql-explorer/package/LICENSE LICENSE.graphiql-explorer

# @graphiql/plugin-explorer's tarball has no LICENSE file; its package.json
# declares MIT and it lives in the graphql/graphiql monorepo, whose LICENSE
# is the one shipped in the graphiql tarball.
explorer_license=$(sed -n 's/^ *"license": *"\([^"]*\)".*/\1/p' "$work/explorer/package/package.json" | head -n1)
[ "$explorer_license" = "MIT" ] || die "unexpected @graphiql/plugin-explorer license: $explorer_license"
{
	echo "@graphiql/plugin-explorer@$EXPLORER_VERSION is published under the MIT license"
	echo "(package.json \"license\": \"MIT\"); its npm tarball ships no LICENSE file."
	echo "It is developed in https://github.com/graphql/graphiql, whose license follows."
	echo "Its UMD build bundles graphiql-explorer@$GRAPHIQL_EXPLORER_VERSION; see LICENSE.graphiql-explorer."
	echo
	cat "$work/graphiql/package/LICENSE"
} >"$stage/LICENSE.graphiql-plugin-explorer"

{
	echo "# Vendored by scripts/playground-assets.sh from the npm registry (npm pack)."
	echo "# package@version tarball-integrity"
	echo "graphiql@$GRAPHIQL_VERSION $GRAPHIQL_INTEGRITY"
	echo "@graphiql/plugin-explorer@$EXPLORER_VERSION $EXPLORER_INTEGRITY"
	echo "graphiql-explorer@$GRAPHIQL_EXPLORER_VERSION $GRAPHIQL_EXPLORER_INTEGRITY (license only; bundled in @graphiql/plugin-explorer)"
	echo "react@$REACT_VERSION $REACT_INTEGRITY"
	echo "react-dom@$REACT_DOM_VERSION $REACT_DOM_INTEGRITY"
} >"$stage/VERSIONS"

# The assets directory is owned by this script: replace it wholesale.
rm -rf "$out"
mkdir -p "$out"
cp "$stage"/* "$out"/
chmod 0644 "$out"/*

echo "wrote $out:" >&2
(cd "$out" && ls -l) >&2
echo "total: $(du -cb "$out"/* | tail -n1 | cut -f1) bytes" >&2
