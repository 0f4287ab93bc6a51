package ipsource

import (
	"errors"
	"fmt"
	"github.com/ipallow/ipallow/internal/ascii"
	"net/netip"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"

	"go4.org/netipx"
	"pgregory.net/rapid"
)

// The trusted proxies of the properties, and netipx as the oracle of trust.
var (
	propTrusted = pfx("10.0.0.0/8", "192.168.0.0/16", "2001:db8:ffff::/48", "203.0.113.0/28")
	propSet     = func() *netipx.IPSet {
		var b netipx.IPSetBuilder
		for _, p := range propTrusted {
			b.AddPrefix(p)
		}
		s, _ := b.IPSet()
		return s
	}()
)

func addrFromBytes(b []byte) netip.Addr {
	if len(b) == 4 {
		return netip.AddrFrom4([4]byte(b))
	}
	return netip.AddrFrom16([16]byte(b))
}

// anyAddr draws IPv4, IPv6 and IPv4-mapped addresses.
var anyAddr = rapid.Custom(func(t *rapid.T) netip.Addr {
	switch rapid.IntRange(0, 2).Draw(t, "family") {
	case 0:
		return addrFromBytes(rapid.SliceOfN(rapid.Byte(), 4, 4).Draw(t, "v4"))
	case 1:
		return addrFromBytes(rapid.SliceOfN(rapid.Byte(), 16, 16).Draw(t, "v6"))
	default:
		return netip.AddrFrom16(addrFromBytes(rapid.SliceOfN(rapid.Byte(), 4, 4).Draw(t, "v4")).As16())
	}
})

// untrustedAddr draws a usable address outside propTrusted.
var untrustedAddr = anyAddr.Filter(func(a netip.Addr) bool {
	u := a.Unmap()
	return !u.IsUnspecified() && !propSet.Contains(u)
})

// trustedAddr draws an address inside one of propTrusted, sometimes mapped.
var trustedAddr = rapid.Custom(func(t *rapid.T) netip.Addr {
	p := rapid.SampledFrom(propTrusted).Draw(t, "prefix")
	b := p.Addr().AsSlice()
	r := rapid.SliceOfN(rapid.Byte(), len(b), len(b)).Draw(t, "host")
	for i := range b {
		bits := min(max(p.Bits()-8*i, 0), 8)
		mask := byte(0xff) << (8 - bits)
		if bits == 0 {
			mask = 0
		}
		b[i] = b[i]&mask | r[i]&^mask
	}
	a := addrFromBytes(b)
	if a.Is4() && rapid.Bool().Draw(t, "mapped") {
		a = netip.AddrFrom16(a.As16())
	}
	return a
})

// xffText renders a in one of the forms X-Forwarded-For accepts.
func xffText(t *rapid.T, a netip.Addr, label string) string {
	port := strconv.Itoa(rapid.IntRange(0, 65535).Draw(t, label+"port"))
	form := rapid.IntRange(0, 2).Draw(t, label+"form")
	if a.Is4() {
		if form == 0 {
			return a.String()
		}
		return a.String() + ":" + port
	}
	switch form {
	case 0:
		return a.String()
	case 1:
		return "[" + a.String() + "]"
	}
	return "[" + a.String() + "]:" + port
}

// fwdText renders a as a Forwarded "for" value.
func fwdText(t *rapid.T, a netip.Addr, label string) string {
	port := strconv.Itoa(rapid.IntRange(0, 65535).Draw(t, label+"port"))
	form := rapid.IntRange(0, 2).Draw(t, label+"form")
	if a.Is4() {
		switch form {
		case 0:
			return a.String()
		case 1:
			return `"` + a.String() + `"`
		}
		return `"` + a.String() + ":" + port + `"`
	}
	if form == 0 {
		return `"[` + a.String() + `]"`
	}
	return `"[` + a.String() + "]:" + port + `"`
}

func peerText(t *rapid.T, a netip.Addr) string {
	return netip.AddrPortFrom(a, uint16(rapid.IntRange(1, 65535).Draw(t, "peerport"))).String()
}

// attackerEntry draws what a client may write: any string, valid addresses
// inside and outside the trusted ranges, and tricky tokens.
func attackerEntry(t *rapid.T, fwd bool, label string) string {
	kind := rapid.IntRange(0, 4).Draw(t, label+"kind")
	if fwd && kind < 2 && rapid.IntRange(0, 3).Draw(t, label+"wellFormed") > 0 {
		// Mostly well-formed elements, so that most chains reach the walk.
		kind = rapid.IntRange(2, 4).Draw(t, label+"kind2")
	}
	switch kind {
	case 0:
		return rapid.String().Draw(t, label+"string")
	case 1:
		return rapid.StringOf(rapid.SampledFrom([]rune(`0123456789abcdef.:[]%, ;="\_unknowfr`+"\t"))).Draw(t, label+"chars")
	case 2:
		a := trustedAddr.Draw(t, label+"trusted")
		if fwd {
			return "for=" + fwdText(t, a, label)
		}
		return xffText(t, a, label)
	case 3:
		a := untrustedAddr.Draw(t, label+"untrusted")
		if fwd {
			return "for=" + fwdText(t, a, label)
		}
		return xffText(t, a, label)
	}
	return rapid.SampledFrom([]string{"", " ", "unknown", "_hidden", "for=unknown", `for="`, "for=_x", "0.0.0.0", "::", ",", ";",
		"proto=https", `for="[::1]";by=_x`, `for=1.2.3.4;for=10.0.0.1`, `host="for=10.0.0.1, for=1.2.3.4"`}).Draw(t, label+"token")
}

// chain is a request built by an attacker and honest trusted proxies.
type chain struct {
	attacker []string // the attacker's field lines
	lines    []string // all field lines as the server sees them
	peer     string   // RemoteAddr: the last trusted proxy
	client   netip.Addr
	hops     int
}

// drawChain draws the attacker's field lines, then lets hops trusted proxies
// append honestly: the first appends the client's real (untrusted) address,
// each further one the address of the proxy before it, either to the last
// field line or as a new line.
func drawChain(t *rapid.T, fwd bool) chain {
	var c chain
	nlines := rapid.IntRange(0, 3).Draw(t, "attackerLines")
	for i := range nlines {
		n := rapid.IntRange(1, 4).Draw(t, "entries")
		parts := make([]string, n)
		for j := range parts {
			parts[j] = attackerEntry(t, fwd, "a"+strconv.Itoa(i)+"_"+strconv.Itoa(j)+"_")
		}
		c.attacker = append(c.attacker, strings.Join(parts, rapid.SampledFrom([]string{",", ", ", " ,\t"}).Draw(t, "sep")))
	}
	c.lines = append([]string(nil), c.attacker...)
	c.client = untrustedAddr.Draw(t, "client")
	c.hops = rapid.IntRange(1, 4).Draw(t, "hops")
	prev := c.client
	for i := range c.hops {
		var entry string
		if fwd {
			entry = "for=" + fwdText(t, prev, "p"+strconv.Itoa(i))
			if rapid.Bool().Draw(t, "params") {
				entry += ";proto=https;by=_p" + strconv.Itoa(i)
			}
		} else {
			entry = xffText(t, prev, "p"+strconv.Itoa(i))
		}
		if len(c.lines) > 0 && rapid.Bool().Draw(t, "appendToLine") {
			c.lines[len(c.lines)-1] += ", " + entry
		} else {
			c.lines = append(c.lines, entry)
		}
		prev = trustedAddr.Draw(t, "proxy")
	}
	c.peer = peerText(t, prev)
	return c
}

// The attacker writes anything on the left; trusted proxies append honestly
// on the right. X-Forwarded-For then always yields the real client, by
// prefixes and by count.
func TestPropertyXForwardedForAttackerCannotChoose(t *testing.T) {
	x := must(XForwardedFor(propTrusted))
	var checks, withValidSpoof atomic.Int64
	rapid.Check(t, func(t *rapid.T) {
		c := drawChain(t, false)
		want := c.client.Unmap()
		r := lines(c.peer, "X-Forwarded-For", c.lines...)
		got, err := x.ClientIP(r)
		if err != nil || got != want {
			t.Fatalf("lines %q peer %s: got %v, %v; want %v", c.lines, c.peer, got, err, want)
		}
		cx := must(XForwardedForCount(c.hops))
		got, err = cx.ClientIP(r)
		if err != nil || got != want {
			t.Fatalf("count %d, lines %q: got %v, %v; want %v", c.hops, c.lines, got, err, want)
		}
		checks.Add(1)
		for _, l := range c.attacker {
			if _, reason := parseEntry(ascii.TrimSpaceTab(l[strings.LastIndexByte(l, ',')+1:])); reason == "" {
				withValidSpoof.Add(1)
				break
			}
		}
	})
	t.Logf("%d chains, %d with a valid address as the attacker's last entry", checks.Load(), withValidSpoof.Load())
}

// The same for Forwarded, where an attacker's syntax error may also reject
// the whole field: the result is the real client or ErrMalformed, never an
// attacker's entry, and always the real client when the attacker's lines
// are well-formed.
func TestPropertyForwardedAttackerCannotChoose(t *testing.T) {
	x := must(Forwarded(propTrusted))
	var checks, rejected, decided atomic.Int64
	rapid.Check(t, func(t *rapid.T) {
		c := drawChain(t, true)
		want := c.client.Unmap()
		var ring [MaxHops]fwdElem
		_, synErr := scanForwarded(c.attacker, ring[:])
		r := lines(c.peer, "Forwarded", c.lines...)
		for _, x := range []Extractor{x, must(ForwardedCount(c.hops))} {
			got, err := x.ClientIP(r)
			switch {
			case err == nil && got == want:
				decided.Add(1)
			case err != nil && errors.Is(err, ErrMalformed) && synErr != nil:
				rejected.Add(1)
			default:
				t.Fatalf("%T lines %q peer %s: got %v, %v; want %v (attacker syntax error: %v)", x, c.lines, c.peer, got, err, want, synErr)
			}
		}
		checks.Add(1)
	})
	t.Logf("%d chains; of their %d results (by prefixes and by count), %d the real client, %d rejected for the attacker's syntax errors",
		checks.Load(), 2*checks.Load(), decided.Load(), rejected.Load())
}

// A peer outside the trusted prefixes is the client, whatever the headers.
func TestPropertyUntrustedPeerIsClient(t *testing.T) {
	xs := []Extractor{
		must(XForwardedFor(propTrusted)),
		must(Forwarded(propTrusted)),
		must(Header("X-Real-IP", propTrusted, RequireHeader("X-Id", "1"))),
	}
	rapid.Check(t, func(t *rapid.T) {
		peer := untrustedAddr.Draw(t, "peer")
		r := newReq(peerText(t, peer))
		for _, name := range []string{"X-Forwarded-For", "Forwarded", "X-Real-IP", "X-Id"} {
			r.Header[name] = rapid.SliceOfN(rapid.String(), 0, 3).Draw(t, name)
		}
		for _, x := range xs {
			got, err := x.ClientIP(r)
			if err != nil || got != peer.Unmap() {
				t.Fatalf("%T: got %v, %v; want %v", x, got, err, peer.Unmap())
			}
		}
	})
}

// parseEntry accepts exactly the rendered forms of every address and
// returns the unmapped address.
func TestPropertyEntryRoundTrip(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		a := anyAddr.Filter(func(a netip.Addr) bool { return !a.Unmap().IsUnspecified() }).Draw(t, "addr")
		s := xffText(t, a, "")
		got, reason := parseEntry(s)
		if reason != "" || got != a.Unmap() {
			t.Fatalf("parseEntry(%q) = %v, %q; want %v", s, got, reason, a.Unmap())
		}
		node := fwdText(t, a, "f")
		if node[0] == '"' {
			node = node[1 : len(node)-1]
		}
		got, reason = parseNode(node)
		if reason != "" || got != a.Unmap() {
			t.Fatalf("parseNode(%q) = %v, %q; want %v", node, got, reason, a.Unmap())
		}
	})
}

// proxyTLV draws a TLV that the listener keeps without interpreting.
var proxyTLV = rapid.Custom(func(t *rapid.T) []byte {
	typ := rapid.SampledFrom([]byte{0x01, 0x02, 0x04, 0x30, 0xE0, 0xE1, 0xE2, 0xEF, 0xF0, 0xFF}).Draw(t, "type")
	return tlv(typ, rapid.SliceOfN(rapid.Byte(), 0, 40).Draw(t, "value"))
})

// Any source and destination, written as a v1 line or as a v2 header with
// TLVs, parse back as the unmapped addresses; the TLVs come back as sent
// and the bytes after the header are left for the application.
func TestPropertyProxyHeader(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		src := netip.AddrPortFrom(anyAddr.Draw(t, "src"), rapid.Uint16().Draw(t, "sport"))
		dst := netip.AddrPortFrom(anyAddr.Draw(t, "dst"), rapid.Uint16().Draw(t, "dport"))
		unmap := func(ap netip.AddrPort) netip.AddrPort { return netip.AddrPortFrom(ap.Addr().Unmap(), ap.Port()) }
		want := ProxyHeader{src: unmap(src), dst: unmap(dst)}
		four := src.Addr().Is4() && dst.Addr().Is4()
		as6 := func(ap netip.AddrPort) netip.AddrPort {
			return netip.AddrPortFrom(netip.AddrFrom16(ap.Addr().As16()), ap.Port())
		}
		var in []byte
		if rapid.Bool().Draw(t, "v2") {
			want.version = 2
			var tlvs []byte
			for _, b := range rapid.SliceOfN(proxyTLV, 0, 5).Draw(t, "tlvs") {
				tlvs = append(tlvs, b...)
			}
			fam, blk := byte(0x11), block(src.String(), dst.String())
			if !four {
				fam, blk = 0x21, block(as6(src).String(), as6(dst).String())
			}
			in = v2(0x21, fam, blk, tlvs)
			if rapid.Bool().Draw(t, "crc") {
				in = withCRC(in)
			}
			want.tlvs = string(in[v2Fixed+len(blk):])
		} else {
			want.version = 1
			proto, s, d := "TCP4", src.Addr().String(), dst.Addr().String()
			if !four {
				proto, s, d = "TCP6", as6(src).Addr().String(), as6(dst).Addr().String()
			}
			in = fmt.Appendf(nil, "PROXY %s %s %s %d %d\r\n", proto, s, d, src.Port(), dst.Port())
		}
		rest := rapid.SliceOfN(rapid.Byte(), 0, 20).Draw(t, "rest")
		h, n, _, fault := parseProxyHeader(append(in, rest...), defaultMaxProxyHeader)
		if fault != nil || n != len(in) || h != want {
			t.Fatalf("%q: %+v, %d, %v; want %+v, %d", in, h, n, fault, want, len(in))
		}
	})
}
