package ipsource

import (
	"crypto/tls"
	"testing"
)

// Each test below replays a known bypass of another implementation
// (notes/ipsource-survey.md §3). The vulnerable behaviour would return the
// attacker's chosen address (here always 1.2.3.4, which an allowlist would
// admit, or the proxy's internal address); ipsource must return the real
// client or an error.
const spoof = "1.2.3.4"

func TestBypassLeftmost(t *testing.T) {
	x := must(XForwardedFor(trustedNets))
	// gin CVE-2020-28483 (gin-gonic/gin#2473), gin#2862, chi RealIP
	// (GHSA-3fxj-6jh8-hvhx), Caddy's non-strict default (caddy#5804), Echo v4's
	// legacy extractor: all took the left end that the client writes.
	r := newReq("10.0.0.9:1", "X-Forwarded-For", spoof+", 203.0.113.7")
	diff(t, ok("203.0.113.7"), run(t, x, r))
	// ... also behind several trusted proxies.
	r = newReq("10.0.0.9:1", "X-Forwarded-For", spoof+", 198.51.100.1, 203.0.113.7, 10.0.0.1, 192.168.3.4")
	diff(t, ok("203.0.113.7"), run(t, x, r))
	// Traefik 1.6 (traefik#3646) passed when any entry matched the list.
	r = newReq("10.0.0.9:1", "X-Forwarded-For", spoof+", "+spoof+", 203.0.113.7")
	diff(t, ok("203.0.113.7"), run(t, x, r))
}

func TestBypassNoPeerCheck(t *testing.T) {
	// realclientip#4, Pritchard "behind a reverse proxy and directly
	// connectable": a header-only walk believes "victim, <trusted proxy>"
	// sent directly by the attacker.
	x := must(XForwardedFor(trustedNets))
	r := newReq("203.0.113.66:1", "X-Forwarded-For", spoof+", 10.0.0.1")
	diff(t, ok("203.0.113.66"), run(t, x, r))
	f := must(Forwarded(trustedNets))
	r = newReq("203.0.113.66:1", "Forwarded", "for="+spoof+", for=10.0.0.1")
	diff(t, ok("203.0.113.66"), run(t, f, r))
	// CF-Connecting-IP sent by a client that bypasses Cloudflare.
	cf := must(Header("CF-Connecting-IP", pfx("173.245.48.0/20")))
	r = newReq("203.0.113.66:1", "CF-Connecting-IP", spoof)
	diff(t, ok("203.0.113.66"), run(t, cf, r))
}

func TestBypassFirstLineOnly(t *testing.T) {
	x := must(XForwardedFor(trustedNets))
	// traefik#8586: HAProxy's option forwardfor adds a line; Header.Get reads
	// the client's own first line.
	r := wire(t, "10.0.0.9:1", "GET / HTTP/1.1\nHost: a\nX-Forwarded-For: "+spoof+"\nX-Forwarded-For: 203.0.113.7\n")
	diff(t, ok("203.0.113.7"), run(t, x, r))
	// Lower-case spelling is the same header, merged in order.
	r = wire(t, "10.0.0.9:1", "GET / HTTP/1.1\nHost: a\nx-forwarded-for: "+spoof+"\nX-FORWARDED-FOR: 203.0.113.7, 10.0.0.1\n")
	diff(t, ok("203.0.113.7"), run(t, x, r))
	// Reading only the last line fails the other way: a hop that adds a line
	// with only its own entry hides the client.
	r = wire(t, "10.0.0.9:1", "GET / HTTP/1.1\nHost: a\nX-Forwarded-For: 203.0.113.7\nX-Forwarded-For: 10.0.0.1\n")
	diff(t, ok("203.0.113.7"), run(t, x, r))
	// The same for Forwarded.
	f := must(Forwarded(trustedNets))
	r = wire(t, "10.0.0.9:1", "GET / HTTP/1.1\nHost: a\nForwarded: for="+spoof+"\nForwarded: for=203.0.113.7\n")
	diff(t, ok("203.0.113.7"), run(t, f, r))
}

func TestBypassFallbacks(t *testing.T) {
	x := must(XForwardedFor(trustedNets))
	const proxy = "10.0.0.9:1"
	// gin: App Gateway's "IP:port" entries failed net.ParseIP and gin fell
	// through to the client-set X-Real-IP.
	r := newReq(proxy, "X-Forwarded-For", "203.0.113.7:50123", "X-Real-IP", spoof)
	diff(t, ok("203.0.113.7"), run(t, x, r))
	// ... and with a really bad entry, no fallback to X-Real-IP either.
	r = newReq(proxy, "X-Forwarded-For", "203.0.113.7:http", "X-Real-IP", spoof)
	diff(t, fail(ErrMalformed), run(t, x, r))
	// Echo returned the proxy (an internal, allowlisted address) on a bad entry.
	r = newReq(proxy, "X-Forwarded-For", "not-an-ip")
	diff(t, fail(ErrMalformed), run(t, x, r))
	// nginx kept the last address it accepted, a trusted proxy.
	r = newReq(proxy, "X-Forwarded-For", "not-an-ip, 10.0.0.1")
	diff(t, fail(ErrMalformed), run(t, x, r))
	// Caddy strict mode, chi and Traefik skipped bad or empty entries and
	// walked on into the client's part.
	for _, v := range []string{spoof + ", unknown", spoof + ", , 10.0.0.1", spoof + ",", spoof + ", _hidden", spoof + ", 203.0.113.07"} {
		diff(t, fail(ErrMalformed), run(t, x, newReq(proxy, "X-Forwarded-For", v)))
	}
	diff(t, fail(ErrMalformed), run(t, x, lines(proxy, "X-Forwarded-For", spoof, "")))
	// "All trusted, so use the leftmost" (Echo, Gin, nginx, Envoy
	// xff_trusted_cidrs): an insider in a trusted range chooses the result.
	r = newReq(proxy, "X-Forwarded-For", "10.66.66.66, 10.0.0.1")
	diff(t, fail(ErrNoUntrustedHop), run(t, x, r))
	// A missing header is not "the proxy is the client".
	diff(t, fail(ErrHeaderMissing), run(t, x, newReq(proxy, "X-Real-IP", spoof)))
	// Forwarded: an invalid element at the decision point is not skipped.
	f := must(Forwarded(trustedNets))
	for _, v := range []string{"for=" + spoof + ", for=unknown", "for=" + spoof + ", proto=https", "for=" + spoof + ", for=_x;by=10.0.0.1"} {
		diff(t, fail(ErrMalformed), run(t, f, newReq(proxy, "Forwarded", v)))
	}
	// Header: no fallback from a repeated or bad single-IP header.
	h := must(Header("X-Real-IP", trustedNets))
	diff(t, fail(ErrHeaderRepeated), run(t, h, newReq(proxy, "X-Real-IP", "203.0.113.7", "X-Real-IP", spoof)))
	diff(t, fail(ErrMalformed), run(t, h, newReq(proxy, "X-Real-IP", "bad", "X-Forwarded-For", spoof)))
}

func TestBypassSharedCDN(t *testing.T) {
	// Azure Front Door's backend ranges are shared by all its customers: any
	// other profile can point at this origin and set X-Azure-SocketIP.
	afdBackend := pfx("147.243.0.0/16") // part of AzureFrontDoor.Backend
	x := must(Header("X-Azure-SocketIP", afdBackend, RequireHeader("X-Azure-FDID", fdid)))
	const edge = "147.243.1.1:443"
	diff(t, fail(ErrCompanion), run(t, x, newReq(edge, "X-Azure-SocketIP", spoof)))
	diff(t, fail(ErrCompanion), run(t, x, newReq(edge, "X-Azure-SocketIP", spoof, "X-Azure-FDID", "11111111-2222-3333-4444-555555555555")))
	diff(t, ok("203.0.113.7"), run(t, x, newReq(edge, "X-Azure-SocketIP", "203.0.113.7", "X-Azure-FDID", fdid)))
	// X-Azure-ClientIP follows the client's X-Forwarded-For: refused.
	if _, err := Header("X-Azure-ClientIP", afdBackend); err == nil {
		t.Error("Header accepted X-Azure-ClientIP")
	}
	// Akamai passes a client's True-Client-IP through: a second line is an error.
	a := must(Header("True-Client-IP", afdBackend))
	diff(t, fail(ErrHeaderRepeated), run(t, a, newReq(edge, "True-Client-IP", spoof, "True-Client-IP", "203.0.113.7")))
}

func TestBypassAliases(t *testing.T) {
	x := must(XForwardedFor(trustedNets))
	// GHSA-rf44-j88r-hh8c: X_Forwarded_For is not X-Forwarded-For; proxies
	// that manage the hyphenated name pass the underscore one through.
	r := wire(t, "10.0.0.9:1", "GET / HTTP/1.1\nHost: a\nX_Forwarded_For: "+spoof+"\nX-Forwarded-For: 203.0.113.7\n")
	diff(t, ok("203.0.113.7"), run(t, x, r))
	r = wire(t, "10.0.0.9:1", "GET / HTTP/1.1\nHost: a\nX_Forwarded_For: "+spoof+"\n")
	diff(t, fail(ErrHeaderMissing), run(t, x, r))
	// GHSA-v67p-phpq-fc8x: trailers are never read.
	r = newReq("10.0.0.9:1")
	r.Trailer = map[string][]string{"X-Forwarded-For": {spoof}}
	diff(t, fail(ErrHeaderMissing), run(t, x, r))
	// Header refuses underscore names outright.
	if _, err := Header("X_Real_IP", trustedNets); err == nil {
		t.Error("Header accepted X_Real_IP")
	}
}

func TestBypassAddressForms(t *testing.T) {
	x := must(XForwardedFor(trustedNets))
	const proxy = "10.0.0.9:1"
	// Caddy: an IPv4-mapped proxy entry missed the IPv4 trust prefix, so the
	// proxy's internal address became "the client".
	diff(t, ok("203.0.113.7"), run(t, x, newReq(proxy, "X-Forwarded-For", "203.0.113.7, ::ffff:10.0.0.1")))
	diff(t, ok("203.0.113.7"), run(t, x, newReq("[::ffff:10.0.0.9]:1", "X-Forwarded-For", "203.0.113.7")))
	// A mapped client is returned as IPv4, so an IPv4 deny or allow list sees it.
	diff(t, ok("203.0.113.7"), run(t, x, newReq(proxy, "X-Forwarded-For", "::ffff:203.0.113.7")))
	// A NAT64 or IPv4-compatible spelling of a trusted address is not trusted.
	diff(t, ok("64:ff9b::a00:1"), run(t, x, newReq(proxy, "X-Forwarded-For", "64:ff9b::10.0.0.1")))
	diff(t, ok("::a00:1"), run(t, x, newReq(proxy, "X-Forwarded-For", "::10.0.0.1")))
	// CVE-2021-29923: leading zeros; zones; bracketed IPv4; integer forms.
	for _, v := range []string{"010.0.0.1", "fe80::1%eth0", "[10.0.0.1]:80", "167772161", "0x0a000001", "10.1"} {
		diff(t, fail(ErrMalformed), run(t, x, newReq(proxy, "X-Forwarded-For", spoof+", "+v)))
	}
}

// Count strategies cannot tell when a hop was bypassed (survey §3.9); the
// prefix strategies can. This documents why the docs prefer prefixes.
func TestBypassCountBrittleness(t *testing.T) {
	r := newReq("203.0.113.66:1", "X-Forwarded-For", spoof) // sent directly, skipping the proxy
	diff(t, ok(spoof), run(t, must(XForwardedForCount(1)), r))
	diff(t, ok("203.0.113.66"), run(t, must(XForwardedFor(trustedNets)), r))
}

func TestBypassEarlyData(t *testing.T) {
	// notes/ipsource-survey.md §3.10: TLS 1.3 / QUIC 0-RTT data arrives before
	// the handshake completes, when the source address is not yet verified
	// (Caddy's remote_ip matcher answers 425 for it). Every strategy that
	// reads the peer refuses such a request instead of believing its address.
	for _, x := range []Extractor{
		RemoteAddr(),
		must(XForwardedFor(trustedNets)),
		must(Forwarded(trustedNets)),
		must(Header("X-Real-IP", trustedNets)),
	} {
		r := newReq(spoof+":443", "X-Forwarded-For", "203.0.113.7", "Forwarded", "for=203.0.113.7", "X-Real-IP", "203.0.113.7")
		r.TLS = &tls.ConnectionState{HandshakeComplete: false}
		diff(t, fail(ErrNoPeer), run(t, x, r))
		// Once the handshake is complete the same request is decided as usual.
		r.TLS.HandshakeComplete = true
		diff(t, ok(spoof), run(t, x, r))
	}
}
