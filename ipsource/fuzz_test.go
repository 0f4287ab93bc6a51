package ipsource

import (
	"bytes"
	"errors"
	"github.com/ipallow/ipallow/internal/ascii"
	"net/netip"
	"strings"
	"testing"
)

// xffReference is a slow, obviously-right X-Forwarded-For walk: merge the
// lines, split everything, walk from the right. The real walk must agree.
func xffReference(trusted trustSet, lines []string) outcome {
	var elems []string
	for _, l := range lines {
		elems = append(elems, strings.Split(l, ",")...)
	}
	for pos := 1; pos <= len(elems); pos++ {
		if pos > MaxHops {
			return fail(ErrTooManyHops)
		}
		raw := elems[len(elems)-pos]
		if len(raw) > maxEntryLen+1 {
			return fail(ErrMalformed)
		}
		a, reason := parseEntry(ascii.TrimSpaceTab(raw))
		if reason != "" {
			return fail(ErrMalformed)
		}
		if !trusted.contains(a) {
			return ok(a.String())
		}
	}
	return fail(ErrNoUntrustedHop)
}

func FuzzXForwardedFor(f *testing.F) {
	for _, s := range [][2]string{
		{"203.0.113.7, 10.0.0.1", ""},
		{"1.2.3.4", "203.0.113.7:443, [2001:db8::1]:80, 10.0.0.1"},
		{"[::ffff:10.0.0.1]:1, ::ffff:203.0.113.7", "10.0.0.1"},
		{"unknown, _x, , fe80::1%eth0", "2001:db8::1:443"},
		{"\u00a01.2.3.4 ,\t[1.2.3.4]", "0.0.0.0, ::"},
		{strings.Repeat(" ", 130) + "1.2.3.4", "010.0.0.1"},
	} {
		f.Add(s[0], s[1])
	}
	trust, err := newTrustSet(trustedNets)
	if err != nil {
		f.Fatal(err)
	}
	x := must(XForwardedFor(trustedNets))
	c := must(XForwardedForCount(2))
	f.Fuzz(func(t *testing.T, l1, l2 string) {
		for _, ls := range [][]string{{l1}, {l1, l2}} {
			r := lines("10.0.0.9:1", "X-Forwarded-For", ls...)
			got := run(t, x, r) // checks valid, unzoned, unmapped
			if got.Addr != "" && trust.contains(netip.MustParseAddr(got.Addr)) {
				t.Fatalf("%q: returned trusted %s", ls, got.Addr)
			}
			if want := xffReference(trust, ls); got != want {
				t.Fatalf("%q: got %+v, reference %+v", ls, got, want)
			}
			run(t, c, r)
		}
	})
}

func FuzzForwarded(f *testing.F) {
	for _, s := range [][2]string{
		{`for=203.0.113.7, for=10.0.0.1`, ""},
		{`For="[2001:db8:cafe::17]:4711";proto=http;by=_x`, `for=10.0.0.1`},
		{`for="_gazonk", for=unknown`, `for="[::ffff:10.0.0.1]:_p"`},
		{`for="1.2.3.4\"", host="a,b"`, `;;for=1.2.3.4;;`},
		{`for=1.2.3.4;for=5.6.7.8`, `for="[fe80::1%eth0]"`},
		{`for="`, `for=1.2.3.4 ;by=x`},
	} {
		f.Add(s[0], s[1])
	}
	trust, err := newTrustSet(trustedNets)
	if err != nil {
		f.Fatal(err)
	}
	x := must(Forwarded(trustedNets))
	c := must(ForwardedCount(2))
	f.Fuzz(func(t *testing.T, l1, l2 string) {
		for _, ls := range [][]string{{l1}, {l1, l2}} {
			r := lines("10.0.0.9:1", "Forwarded", ls...)
			got := run(t, x, r)
			if got.Addr != "" && trust.contains(netip.MustParseAddr(got.Addr)) {
				t.Fatalf("%q: returned trusted %s", ls, got.Addr)
			}
			if got.Addr != "" && !strings.Contains(strings.ToLower(strings.Join(ls, ",")), "for=") {
				t.Fatalf("%q: address %s without a for parameter", ls, got.Addr)
			}
			run(t, c, r)
		}
	})
}

func FuzzRemoteAddr(f *testing.F) {
	for _, s := range []string{"203.0.113.7:443", "[2001:db8::1]:1", "[fe80::1%eth0]:1", "[::ffff:1.2.3.4]:1", "@", "", "1.2.3.4", "[1.2.3.4]:80", "0.0.0.0:1"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got := run(t, RemoteAddr(), newReq(s))
		if got.Addr == "" {
			return
		}
		ap, err := netip.ParseAddrPort(s)
		if err != nil || ap.Addr().WithZone("").Unmap().String() != got.Addr {
			t.Fatalf("%q: got %s, ParseAddrPort %v, %v", s, got.Addr, ap, err)
		}
	})
}

func FuzzHeader(f *testing.F) {
	for _, s := range []string{"203.0.113.7", " [2001:db8::1]:80 ", "1.2.3.4, 5.6.7.8", "unknown", "", "::ffff:10.0.0.1"} {
		f.Add(s)
	}
	x := must(Header("X-Real-IP", trustedNets))
	f.Fuzz(func(t *testing.T, v string) {
		got := run(t, x, newReq("10.0.0.9:1", "X-Real-IP", v))
		if got.Addr == "" {
			return
		}
		if strings.Contains(v, ",") {
			t.Fatalf("%q: accepted a list", v)
		}
		if a, reason := parseEntry(ascii.TrimSpaceTab(v)); reason != "" || a.String() != got.Addr {
			t.Fatalf("%q: got %s, parseEntry %v %q", v, got.Addr, a, reason)
		}
	})
}

func FuzzProxyHeader(f *testing.F) {
	for _, s := range proxySeeds() {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		h, n, need, fault := parseProxyHeader(in, defaultMaxProxyHeader)
		switch {
		case fault != nil:
			if n != 0 || h != (ProxyHeader{}) {
				t.Fatalf("%q: fault %v with n %d, header %+v", in, fault, n, h)
			}
			if !errors.Is(fault, ErrProxyMissing) && !errors.Is(fault, ErrProxyMalformed) {
				t.Fatalf("%q: fault kind %v", in, fault.Kind)
			}
			if msg := fault.Error(); len(msg) > 600 || strings.ContainsRune(msg, '\u2014') {
				t.Fatalf("%q: message of %d bytes: %s", in, len(msg), msg)
			}
			return
		case n == 0:
			if need <= len(in) {
				t.Fatalf("%q: incomplete, but needs only %d bytes", in, need)
			}
			if s := signature(in); len(in) > 0 && s == sigNone {
				t.Fatalf("%q: incomplete without a signature", in)
			}
			return
		}
		if n > len(in) || n < 15 || (h.Version() == 1) != (in[0] == 'P') {
			t.Fatalf("%q: n %d, version %d", in, n, h.Version())
		}
		if h.Version() == 1 && (n > v1MaxLen || !bytes.HasSuffix(in[:n], []byte("\r\n"))) {
			t.Fatalf("%q: v1 header of %d bytes", in, n)
		}
		if h.Version() == 2 && n > v2Fixed+defaultMaxProxyHeader {
			t.Fatalf("v2 header of %d bytes", n)
		}
		if src := h.Source(); h.Local() == src.IsValid() || src.Addr().Is4In6() || src.Addr().Zone() != "" ||
			h.Destination().Addr().Is4In6() || h.Destination().Addr().Zone() != "" {
			t.Fatalf("%q: local %v, source %v, destination %v", in, h.Local(), src, h.Destination())
		}
		if s := signature(in); s != sigV1 && s != sigV2 {
			t.Fatalf("%q: accepted, but signature says %v", in, s)
		}
		// The bytes after the header do not matter.
		if h2, n2, _, f2 := parseProxyHeader(in[:n], defaultMaxProxyHeader); h2 != h || n2 != n || f2 != nil {
			t.Fatalf("%q: the header alone gives %+v, %d, %v", in[:n], h2, n2, f2)
		}
		// Re-encoded, the header parses to itself; a v2 PROXY header whose
		// encoding has its length comes out byte for byte.
		enc := encodeProxyHeader(h)
		h2, n2, _, f2 := parseProxyHeader(enc, defaultMaxProxyHeader)
		if f2 != nil || n2 != len(enc) || withoutCRC(h2) != withoutCRC(h) {
			t.Fatalf("%q: re-encoded as %q: %+v, %d, %v; want %+v", in[:n], enc, h2, n2, f2, h)
		}
		if h.Version() == 2 && !h.Local() && len(enc) == n && !bytes.Equal(enc, in[:n]) {
			t.Fatalf("%q: re-encoded as %q", in[:n], enc)
		}
		// The accessors do not panic.
		h.AzureLinkID()
		h.AWSVPCEndpointID()
		h.TLVs()
	})
}
