package server

import (
	"net/http/httptest"
	"net/netip"
	"strings"
	"testing"
)

func TestClientAddr(t *testing.T) {
	proxies := []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8"), netip.MustParsePrefix("127.0.0.1/32")}
	cases := []struct {
		name, peer string
		xff        []string
		trusted    []netip.Prefix
		want       string
	}{
		{"no proxies: the peer", "192.0.2.1:5000", []string{"203.0.113.9"}, nil, "192.0.2.1"},
		{"an untrusted peer's claim is ignored", "192.0.2.1:5000", []string{"203.0.113.9"}, proxies, "192.0.2.1"},
		{"a trusted proxy names the client", "10.1.2.3:5000", []string{"203.0.113.9"}, proxies, "203.0.113.9"},
		{"the client's own claims on the left are skipped", "10.1.2.3:5000", []string{"198.51.100.66, 203.0.113.9"}, proxies, "203.0.113.9"},
		{"through two trusted proxies", "127.0.0.1:5000", []string{"203.0.113.9", "10.9.9.9"}, proxies, "203.0.113.9"},
		{"an entry that is no address is a client of its own", "10.1.2.3:5000", []string{"not-an-ip"}, proxies, "name forwarded:not-an-ip"},
		{"unknown", "10.1.2.3:5000", []string{"198.51.100.66, unknown"}, proxies, "name forwarded:unknown"},
		{"an empty entry", "10.1.2.3:5000", []string{"198.51.100.66, "}, proxies, "name forwarded:"},
		{"a long name is cut", "10.1.2.3:5000", []string{strings.Repeat("x", 1000)}, proxies, "name forwarded:" + strings.Repeat("x", maxClientName)},
		{"IPv4 with a port", "10.1.2.3:5000", []string{"203.0.113.9:5678"}, proxies, "203.0.113.9"},
		{"IPv6 with a port", "10.1.2.3:5000", []string{"[2001:db8::1]:443"}, proxies, "2001:db8::1"},
		{"IPv6 in brackets", "10.1.2.3:5000", []string{"[2001:db8::1]"}, proxies, "2001:db8::1"},
		{"a trusted proxy with a port", "10.1.2.3:5000", []string{"203.0.113.9", "10.9.9.9:8080"}, proxies, "203.0.113.9"},
		{"a trusted proxy that forwarded garbage from further left", "10.1.2.3:5000", []string{"unknown, 10.9.9.9"}, proxies, "name forwarded:unknown"},
		{"no header from a trusted proxy: the proxy", "10.1.2.3:5000", nil, proxies, "10.1.2.3"},
		{"IPv4 in IPv6", "[::ffff:192.0.2.1]:5000", nil, nil, "192.0.2.1"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := httptest.NewRequest("POST", "/graphql", nil)
			r.RemoteAddr = tc.peer
			for _, v := range tc.xff {
				r.Header.Add("X-Forwarded-For", v)
			}
			addr, name, ok := clientAddr(r, tc.trusted)
			got := addr.String()
			if !addr.IsValid() {
				got = "name " + name
			}
			if !ok || got != tc.want {
				t.Errorf("%q %v, want %q", got, ok, tc.want)
			}
		})
	}
	r := httptest.NewRequest("POST", "/graphql", nil)
	r.RemoteAddr = "pipe"
	if _, _, ok := clientAddr(r, nil); ok {
		t.Error("an address that is not host:port was used")
	}
}
