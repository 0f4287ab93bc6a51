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

func benchParse(b *testing.B, in []byte) {
	b.Helper()
	if _, n, _, fault := parseProxyHeader(in, defaultMaxProxyHeader); fault != nil || n == 0 {
		b.Fatalf("parse: %v, %d", fault, n)
	}
	b.ReportAllocs()
	for b.Loop() {
		parseProxyHeader(in, defaultMaxProxyHeader)
	}
}

func BenchmarkParseProxyV1(b *testing.B) {
	benchParse(b, []byte(lineV6))
}

func BenchmarkParseProxyV2(b *testing.B) {
	benchParse(b, v2(0x21, 0x11, block("203.0.113.7:50123", "10.0.0.1:443")))
}

// An AWS NLB-like header: IPv4, VPC endpoint ID and CRC32C.
func BenchmarkParseProxyV2TLVs(b *testing.B) {
	benchParse(b, withCRC(v2(0x21, 0x11, block("203.0.113.7:50123", "10.0.0.1:443"), awsVPCE("vpce-08d2bf15fac5001c9"))))
}

// One connection through ProxyListener over an in-memory pipe: Accept,
// header, RemoteAddr and the first bytes of data.
func BenchmarkProxyListenerPipe(b *testing.B) {
	base := newPipeListener()
	ln, err := ProxyListener(base, trustedNets)
	if err != nil {
		b.Fatal(err)
	}
	msg := append(v2(0x21, 0x11, block("203.0.113.7:50123", "10.0.0.1:443")), "GET / HTTP/1.1\r\n\r\n"...)
	buf := make([]byte, 64)
	b.ReportAllocs()
	for b.Loop() {
		client := base.dial("10.0.0.5:41000")
		go client.Write(msg)
		c, err := ln.Accept()
		if err != nil {
			b.Fatal(err)
		}
		if c.RemoteAddr().String() != "203.0.113.7:50123" {
			b.Fatal(c.RemoteAddr())
		}
		if _, err := c.Read(buf); err != nil {
			b.Fatal(err)
		}
		c.Close()
		client.Close()
	}
}
