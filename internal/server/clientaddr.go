package server

import (
	"fmt"
	"net/http"
	"net/netip"
	"strings"
)

// maxClientName bounds the name kept for a client a proxy did not name by
// an address (RFC 7239's obfuscated identifiers are short).
const maxClientName = 64

// clientAddr is the address of the client a request came from: the
// connection's peer, unless the peer is one of the trusted reverse
// proxies; then X-Forwarded-For is read from the right (the entry the
// proxy added) past the trusted proxies, to the first address that is not
// one. Entries further left are the client's own claims and are not used.
// Without trusted proxies X-Forwarded-For is ignored: any client can send it.
// An entry may carry a port (1.2.3.4:5678, [2001:db8::1]:443). One that is
// not an address at all (unknown, an obfuscated name) is a client of its
// own, not trusted: it comes back as name (at most maxClientName bytes),
// with no address, rather than falling back to the proxy's address, which
// would put every such client in one bucket.
func clientAddr(r *http.Request, trusted []netip.Prefix) (addr netip.Addr, name string, ok bool) {
	ap, err := netip.ParseAddrPort(r.RemoteAddr)
	if err != nil {
		return netip.Addr{}, "", false
	}
	isTrusted := func(a netip.Addr) bool {
		for _, p := range trusted {
			if p.Contains(a) {
				return true
			}
		}
		return false
	}
	addr = ap.Addr().Unmap()
	if len(trusted) == 0 || !isTrusted(addr) {
		return addr, "", true
	}
	var hops []string
	for _, v := range r.Header.Values("X-Forwarded-For") {
		hops = append(hops, strings.Split(v, ",")...)
	}
	for i := len(hops) - 1; i >= 0 && isTrusted(addr); i-- {
		hop := strings.TrimSpace(hops[i])
		a, err := parseHop(hop)
		if err != nil { // the prefix keeps an empty entry a name, too
			return netip.Addr{}, "forwarded:" + hop[:min(len(hop), maxClientName)], true
		}
		addr = a.Unmap()
	}
	return addr, "", true
}

// parseHop reads one X-Forwarded-For entry: an address, with or without
// a port, an IPv6 one with or without brackets.
func parseHop(hop string) (netip.Addr, error) {
	if a, err := netip.ParseAddr(hop); err == nil {
		return a, nil
	}
	if ap, err := netip.ParseAddrPort(hop); err == nil {
		return ap.Addr(), nil
	}
	if inner, ok := strings.CutPrefix(hop, "["); ok {
		if inner, ok := strings.CutSuffix(inner, "]"); ok {
			return netip.ParseAddr(inner)
		}
	}
	return netip.Addr{}, fmt.Errorf("not an address: %q", hop)
}
