package server

import (
	"net/http/httptest"
	"net/netip"
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
		{"a garbled entry stops at the last trusted hop", "10.1.2.3:5000", []string{"not-an-ip"}, proxies, "10.1.2.3"},
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
			got, ok := clientAddr(r, tc.trusted)
			if !ok || got.String() != tc.want {
				t.Errorf("%v %v, want %s", got, ok, tc.want)
			}
		})
	}
	r := httptest.NewRequest("POST", "/graphql", nil)
	r.RemoteAddr = "pipe"
	if _, ok := clientAddr(r, nil); ok {
		t.Error("an address that is not host:port was used")
	}
}
