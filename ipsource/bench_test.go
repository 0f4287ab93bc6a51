package ipsource

import (
	"net/http"
	"strings"
	"testing"
)

func bench(b *testing.B, x Extractor, r *http.Request, wantErr bool) {
	b.Helper()
	if _, err := x.ClientIP(r); (err != nil) != wantErr {
		b.Fatalf("err = %v", err)
	}
	b.ReportAllocs()
	for b.Loop() {
		x.ClientIP(r)
	}
}

func BenchmarkRemoteAddr(b *testing.B) {
	bench(b, RemoteAddr(), newReq("203.0.113.7:50123"), false)
}

func BenchmarkRemoteAddrIPv6(b *testing.B) {
	bench(b, RemoteAddr(), newReq("[2001:db8::7]:50123"), false)
}

// Three entries, the client behind two trusted hops, from a trusted peer.
func BenchmarkXForwardedFor(b *testing.B) {
	x := must(XForwardedFor(trustedNets))
	bench(b, x, newReq("10.0.0.9:1", "X-Forwarded-For", "203.0.113.7, 10.0.0.1, 192.168.0.1"), false)
}

func BenchmarkXForwardedForAppGatewayPorts(b *testing.B) {
	x := must(XForwardedFor(trustedNets))
	bench(b, x, newReq("10.0.0.9:1", "X-Forwarded-For", "203.0.113.7:50123, [2001:db8:ffff::1]:443, 10.0.0.1:443"), false)
}

func BenchmarkXForwardedForUntrustedPeer(b *testing.B) {
	x := must(XForwardedFor(trustedNets))
	bench(b, x, newReq("203.0.113.66:1", "X-Forwarded-For", "1.2.3.4, 10.0.0.1"), false)
}

// A 1 MB header costs the same as a short one.
func BenchmarkXForwardedFor1MB(b *testing.B) {
	x := must(XForwardedFor(trustedNets))
	bench(b, x, newReq("10.0.0.9:1", "X-Forwarded-For", strings.Repeat("1.2.3.4,", 1<<17)+"203.0.113.7, 10.0.0.1"), false)
}

func BenchmarkXForwardedForCount(b *testing.B) {
	x := must(XForwardedForCount(3))
	bench(b, x, newReq("10.0.0.9:1", "X-Forwarded-For", "203.0.113.7, 10.0.0.1, 192.168.0.1"), false)
}

// Errors cost one allocation; the message is built only on demand.
func BenchmarkXForwardedForMalformed(b *testing.B) {
	x := must(XForwardedFor(trustedNets))
	bench(b, x, newReq("10.0.0.9:1", "X-Forwarded-For", "203.0.113.7, unknown, 10.0.0.1"), true)
}

func BenchmarkForwarded(b *testing.B) {
	x := must(Forwarded(trustedNets))
	bench(b, x, newReq("10.0.0.9:1", "Forwarded", `for=203.0.113.7;proto=https, for="[2001:db8:ffff::1]:443";by=_a, for=10.0.0.1`), false)
}

func BenchmarkForwarded16KiB(b *testing.B) {
	x := must(Forwarded(trustedNets))
	bench(b, x, newReq("10.0.0.9:1", "Forwarded", strings.Repeat("for=1.2.3.4,", 1300)+"for=203.0.113.7, for=10.0.0.1"), false)
}

func BenchmarkHeader(b *testing.B) {
	x := must(Header("X-Azure-SocketIP", trustedNets, RequireHeader("X-Azure-FDID", fdid)))
	bench(b, x, newReq("10.0.0.9:1", "X-Azure-SocketIP", "203.0.113.7", "X-Azure-FDID", fdid), false)
}
