package ipsource

import (
	"encoding/binary"
	"hash/crc32"
	"net/netip"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// Builders of PROXY headers for tests.

// tlv encodes one TLV.
func tlv(typ byte, val []byte) []byte {
	return append([]byte{typ, byte(len(val) >> 8), byte(len(val))}, val...)
}

// v2 builds a v2 header from its command byte, family byte, address block
// and TLVs; the length field covers the block and the TLVs.
func v2(verCmd, fam byte, block []byte, tlvs ...[]byte) []byte {
	body := append([]byte(nil), block...)
	for _, t := range tlvs {
		body = append(body, t...)
	}
	return v2len(verCmd, fam, len(body), body)
}

// v2len builds a v2 header with an explicit length field.
func v2len(verCmd, fam byte, length int, body []byte) []byte {
	h := append([]byte(v2Sig), verCmd, fam, byte(length>>8), byte(length))
	return append(h, body...)
}

// block returns the address block for src and dst: 12 bytes if both are
// IPv4, else 36 with IPv4 addresses mapped.
func block(src, dst string) []byte {
	s, d := netip.MustParseAddrPort(src), netip.MustParseAddrPort(dst)
	var b []byte
	if s.Addr().Is4() && d.Addr().Is4() {
		a, c := s.Addr().As4(), d.Addr().As4()
		b = append(append(b, a[:]...), c[:]...)
	} else {
		a, c := s.Addr().As16(), d.Addr().As16()
		b = append(append(b, a[:]...), c[:]...)
	}
	b = binary.BigEndian.AppendUint16(b, s.Port())
	return binary.BigEndian.AppendUint16(b, d.Port())
}

// withCRC appends a CRC32C TLV to the v2 header h, adjusts the length and
// fills in the checksum.
func withCRC(h []byte) []byte {
	h = append(append([]byte(nil), h...), tlv(tlvCRC32C, make([]byte, 4))...)
	binary.BigEndian.PutUint16(h[14:16], uint16(len(h)-v2Fixed))
	binary.BigEndian.PutUint32(h[len(h)-4:], crc32.Checksum(h, castagnoli))
	return h
}

func azureLinkID(id uint32) []byte {
	return tlv(tlvAzure, binary.LittleEndian.AppendUint32([]byte{subtypeAzureLinkID}, id))
}

func awsVPCE(id string) []byte {
	return tlv(tlvAWS, append([]byte{subtypeAWSVPCEndpointID}, id...))
}

// encodeProxyHeader writes h back in its version: a v1 line, or a v2
// header with the TLVs as they arrived (a CRC32C TLV's checksum
// recomputed). Addresses are written as IPv4 if both are IPv4, else as
// IPv6 (IPv4 mapped). Parsing the result yields h again.
func encodeProxyHeader(h ProxyHeader) []byte {
	src, dst := h.Source(), h.Destination()
	four := src.Addr().Is4() && dst.Addr().Is4()
	v6 := func(ap netip.AddrPort) netip.Addr { return netip.AddrFrom16(ap.Addr().As16()) }
	if h.Version() == 1 {
		if h.Local() {
			return []byte("PROXY UNKNOWN\r\n")
		}
		line := "PROXY TCP4 " + src.Addr().String() + " " + dst.Addr().String()
		if !four {
			line = "PROXY TCP6 " + v6(src).String() + " " + v6(dst).String()
		}
		return []byte(line + " " + strconv.Itoa(int(src.Port())) + " " + strconv.Itoa(int(dst.Port())) + "\r\n")
	}
	var b []byte
	switch {
	case h.Local():
		b = v2(0x20, 0x00, nil, []byte(h.tlvs))
	case four:
		b = v2(0x21, 0x11, block(src.String(), dst.String()), []byte(h.tlvs))
	default:
		b = v2(0x21, 0x21, block(netip.AddrPortFrom(v6(src), src.Port()).String(), netip.AddrPortFrom(v6(dst), dst.Port()).String()), []byte(h.tlvs))
	}
	off := len(b) - len(h.tlvs)
	for t, v := range h.eachTLV {
		if t == tlvCRC32C {
			at := off + 3
			clear(b[at : at+4])
			binary.BigEndian.PutUint32(b[at:], crc32.Checksum(b, castagnoli))
			break
		}
		off += 3 + len(v)
	}
	return b
}

// withoutCRC returns h with the value of its CRC32C TLV zeroed: the
// checksum changes when a LOCAL header is re-encoded without its
// addresses.
func withoutCRC(h ProxyHeader) ProxyHeader {
	b := []byte(h.tlvs)
	off := 0
	for t, v := range h.eachTLV {
		if t == tlvCRC32C {
			clear(b[off+3 : off+7])
		}
		off += 3 + len(v)
	}
	h.tlvs = string(b)
	return h
}

// parsed is what a parser test compares.
type parsed struct {
	Kind     string // the ProxyError kind; "" if accepted, "more" if incomplete
	Version  int
	Local    bool
	Src, Dst string
	N        int
}

func parse(b []byte, maxLen int) (parsed, *ProxyError) {
	h, n, need, fault := parseProxyHeader(b, maxLen)
	switch {
	case fault != nil:
		return parsed{Kind: fault.Kind.Error()}, fault
	case n == 0:
		if need <= len(b) {
			return parsed{Kind: "need " + strconv.Itoa(need) + " of " + strconv.Itoa(len(b))}, nil
		}
		return parsed{Kind: "more"}, nil
	}
	p := parsed{Version: h.Version(), Local: h.Local(), N: n}
	if h.Source().IsValid() {
		p.Src, p.Dst = h.Source().String(), h.Destination().String()
	}
	return p, nil
}

func accepted(version int, src, dst string, n int) parsed {
	return parsed{Version: version, Src: src, Dst: dst, N: n}
}
func local(version, n int) parsed { return parsed{Version: version, Local: true, N: n} }
func refused(kind error) parsed   { return parsed{Kind: kind.Error()} }

const (
	lineV4 = "PROXY TCP4 203.0.113.7 10.0.0.1 50123 443\r\n"
	lineV6 = "PROXY TCP6 2001:db8::7 2001:db8::1 50123 443\r\n"
	// The longest v1 line, 107 bytes.
	lineMax = "PROXY UNKNOWN ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff 65535 65535\r\n"
)

func TestParseProxyHeaderV1(t *testing.T) {
	if len(lineMax) != v1MaxLen {
		t.Fatalf("lineMax has %d bytes", len(lineMax))
	}
	const src4, dst4 = "203.0.113.7:50123", "10.0.0.1:443"
	tests := []struct {
		name, in string
		want     parsed
		reason   string // a part of the fault's reason
	}{
		{"tcp4", lineV4 + "GET /", accepted(1, src4, dst4, len(lineV4)), ""},
		{"tcp6", lineV6, accepted(1, "[2001:db8::7]:50123", "[2001:db8::1]:443", 0), ""},
		{"tcp6 mapped", "PROXY TCP6 ::ffff:203.0.113.7 ::ffff:10.0.0.1 50123 443\r\n", accepted(1, src4, dst4, 0), ""},
		{"tcp6 upper case", "PROXY TCP6 2001:DB8::7 2001:db8::1 1 2\r\n", accepted(1, "[2001:db8::7]:1", "[2001:db8::1]:2", 0), ""},
		{"tcp6 nat64 stays", "PROXY TCP6 64:ff9b::cb00:7107 ::1 1 2\r\n", accepted(1, "[64:ff9b::cb00:7107]:1", "[::1]:2", 0), ""},
		{"ports 0 and 65535", "PROXY TCP4 203.0.113.7 10.0.0.1 0 65535\r\n", accepted(1, "203.0.113.7:0", "10.0.0.1:65535", 0), ""},
		{"unknown", "PROXY UNKNOWN\r\nGET", local(1, 15), ""},
		{"unknown with addresses", "PROXY UNKNOWN 1.2.3.4 5.6.7.8 1 2\r\n", local(1, 0), ""},
		{"unknown anything", "PROXY UNKNOWN \x00 junk  \t!\r\n", local(1, 0), ""},
		{"longest line", lineMax, local(1, 0), ""},
		{"107 bytes", "PROXY UNKNOWN " + strings.Repeat("x", 91) + "\r\n", local(1, 0), ""},
		{"108 bytes", "PROXY UNKNOWN " + strings.Repeat("x", 92) + "\r\n", refused(ErrProxyMalformed), "no CRLF within 107"},

		{"http", "GET / HTTP/1.1\r\n", refused(ErrProxyMissing), "neither a PROXY v1 line"},
		{"no space after PROXY", "PROXYTCP4 1.2.3.4 5.6.7.8 1 2\r\n", refused(ErrProxyMissing), ""},
		{"lower case proxy", "proxy TCP4 1.2.3.4 5.6.7.8 1 2\r\n", refused(ErrProxyMissing), ""},
		{"tcp4 with ipv6", "PROXY TCP4 2001:db8::7 10.0.0.1 1 2\r\n", refused(ErrProxyMalformed), "not IPv4"},
		{"tcp4 with mapped", "PROXY TCP4 ::ffff:203.0.113.7 10.0.0.1 1 2\r\n", refused(ErrProxyMalformed), "not IPv4"},
		{"tcp4 with ipv6 destination", "PROXY TCP4 203.0.113.7 ::1 1 2\r\n", refused(ErrProxyMalformed), "destination address"},
		{"tcp6 with ipv4", "PROXY TCP6 203.0.113.7 2001:db8::1 1 2\r\n", refused(ErrProxyMalformed), "not IPv6"},
		{"zone", "PROXY TCP6 fe80::1%eth0 fe80::2 1 2\r\n", refused(ErrProxyMalformed), "zone"},
		{"leading zero octet", "PROXY TCP4 010.0.0.1 10.0.0.2 1 2\r\n", refused(ErrProxyMalformed), "not an IP address"},
		{"short ipv4", "PROXY TCP4 10.1 10.0.0.2 1 2\r\n", refused(ErrProxyMalformed), "not an IP address"},
		{"brackets", "PROXY TCP6 [::1] [::1] 1 2\r\n", refused(ErrProxyMalformed), "not an IP address"},
		{"name", "PROXY TCP4 localhost 10.0.0.2 1 2\r\n", refused(ErrProxyMalformed), "not an IP address"},
		{"port leading zero", "PROXY TCP4 203.0.113.7 10.0.0.1 080 443\r\n", refused(ErrProxyMalformed), `source port "080"`},
		{"port 65536", "PROXY TCP4 203.0.113.7 10.0.0.1 1 65536\r\n", refused(ErrProxyMalformed), "destination port"},
		{"port sign", "PROXY TCP4 203.0.113.7 10.0.0.1 +1 2\r\n", refused(ErrProxyMalformed), "port"},
		{"port hex", "PROXY TCP4 203.0.113.7 10.0.0.1 0x1 2\r\n", refused(ErrProxyMalformed), "port"},
		{"port six digits", "PROXY TCP4 203.0.113.7 10.0.0.1 000001 2\r\n", refused(ErrProxyMalformed), "port"},
		{"two spaces after PROXY", "PROXY  TCP4 203.0.113.7 10.0.0.1 1 2\r\n", refused(ErrProxyMalformed), "two spaces"},
		{"two spaces between fields", "PROXY TCP4 203.0.113.7  10.0.0.1 1 2\r\n", refused(ErrProxyMalformed), "fields"},
		{"space before CRLF", "PROXY TCP4 203.0.113.7 10.0.0.1 1 2 \r\n", refused(ErrProxyMalformed), "fields"},
		{"tab separator", "PROXY TCP4\t203.0.113.7 10.0.0.1 1 2\r\n", refused(ErrProxyMalformed), "protocol"},
		{"extra field", "PROXY TCP4 203.0.113.7 10.0.0.1 1 2 3\r\n", refused(ErrProxyMalformed), "5 fields"},
		{"missing field", "PROXY TCP4 203.0.113.7 10.0.0.1 1\r\n", refused(ErrProxyMalformed), "3 fields"},
		{"protocol only", "PROXY TCP4\r\n", refused(ErrProxyMalformed), "ends after the protocol"},
		{"lower case protocol", "PROXY tcp4 203.0.113.7 10.0.0.1 1 2\r\n", refused(ErrProxyMalformed), `"tcp4"`},
		{"udp4", "PROXY UDP4 203.0.113.7 10.0.0.1 1 2\r\n", refused(ErrProxyMalformed), "protocol"},
		{"unknown glued", "PROXY UNKNOWNX\r\n", refused(ErrProxyMalformed), "protocol"},
		{"empty", "PROXY \r\n", refused(ErrProxyMalformed), "no protocol"},
		{"LF without CR", "PROXY TCP4 203.0.113.7 10.0.0.1 1 2\n", refused(ErrProxyMalformed), "without CR"},
		{"CR inside", "PROXY UNKNOWN a\rb\r\n", refused(ErrProxyMalformed), "CR at byte 15"},
		{"CR CR LF", "PROXY TCP4 203.0.113.7 10.0.0.1 1 2\r\r\n", refused(ErrProxyMalformed), "CR at byte"},
		{"no CRLF within 107 bytes", "PROXY UNKNOWN " + strings.Repeat("x", 93) + "\r\n", refused(ErrProxyMalformed), "no CRLF within 107"},
		{"no CRLF at all", "PROXY UNKNOWN " + strings.Repeat("x", 200), refused(ErrProxyMalformed), "no CRLF"},
		{"incomplete", "PROXY TCP4 203.0.113.7", parsed{Kind: "more"}, ""},
		{"prefix", "PROX", parsed{Kind: "more"}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.want.Kind == "" && tt.want.N == 0 {
				tt.want.N = len(tt.in) // the header is all of the input
			}
			got, fault := parse([]byte(tt.in), defaultMaxProxyHeader)
			if d := cmp.Diff(tt.want, got); d != "" {
				t.Fatalf("%q (-want +got)\n%s", tt.in, d)
			}
			if fault != nil && !strings.Contains(fault.Reason, tt.reason) {
				t.Errorf("reason %q lacks %q", fault.Reason, tt.reason)
			}
		})
	}
}

func TestParseProxyHeaderV2(t *testing.T) {
	b4 := block("203.0.113.7:50123", "10.0.0.1:443")
	b6 := block("[2001:db8::7]:50123", "[2001:db8::1]:443")
	const src4, dst4 = "203.0.113.7:50123", "10.0.0.1:443"
	const src6, dst6 = "[2001:db8::7]:50123", "[2001:db8::1]:443"
	big := v2len(0x21, 0x11, 5000, b4)
	tests := []struct {
		name   string
		in     []byte
		max    int
		want   parsed
		reason string
	}{
		{"inet", append(v2(0x21, 0x11, b4), "GET /"...), 0, accepted(2, src4, dst4, 28), ""},
		{"inet6", v2(0x21, 0x21, b6), 0, accepted(2, src6, dst6, 52), ""},
		{"inet6 mapped", v2(0x21, 0x21, block("[::ffff:203.0.113.7]:50123", "[::ffff:10.0.0.1]:443")), 0, accepted(2, src4, dst4, 52), ""},
		{"tlvs", v2(0x21, 0x11, b4, tlv(0x01, []byte("h2")), azureLinkID(7), awsVPCE("vpce-08d2bf15fac5001c9"), tlv(0x04, nil), tlv(0xE0, []byte{1, 2})),
			0, accepted(2, src4, dst4, 28+5+8+26+3+5), ""},
		{"crc", withCRC(v2(0x21, 0x11, b4, azureLinkID(7))), 0, accepted(2, src4, dst4, 28+8+7), ""},
		{"ssl", v2(0x21, 0x11, b4, tlv(tlvSSL, append([]byte{1, 0, 0, 0, 0}, tlv(0x21, []byte("TLSv1.3"))...))), 0, accepted(2, src4, dst4, 28+3+15), ""},
		{"unique id 128", v2(0x21, 0x11, b4, tlv(tlvUniqueID, make([]byte, 128))), 0, accepted(2, src4, dst4, 28+131), ""},
		{"azure other subtype", v2(0x21, 0x11, b4, tlv(tlvAzure, []byte{2})), 0, accepted(2, src4, dst4, 32), ""},
		{"aws other subtype", v2(0x21, 0x11, b4, tlv(tlvAWS, []byte{9, 0xff})), 0, accepted(2, src4, dst4, 33), ""},
		{"local", append(v2(0x20, 0x00, nil), "GET"...), 0, local(2, 16), ""},
		{"local inet short block", v2len(0x20, 0x11, 0, nil), 0, local(2, 16), ""},
		{"local inet short block discarded", v2len(0x20, 0x21, 5, []byte("junk!")), 0, local(2, 21), ""},
		{"local inet", v2(0x20, 0x11, b4), 0, local(2, 28), ""},
		{"local unix", v2(0x20, 0x31, make([]byte, 216)), 0, local(2, 232), ""},
		{"local tlvs", withCRC(v2(0x20, 0x00, nil, tlv(0x05, []byte("id")))), 0, local(2, 16+5+7), ""},
		{"length at the limit", v2(0x21, 0x11, b4, tlv(0xE0, make([]byte, 4096-12-3))), 0, accepted(2, src4, dst4, 16+4096), ""},

		{"v2 prefix then junk", []byte("\r\n\r\n\x00\r\nQUIX\n"), 0, refused(ErrProxyMissing), ""},
		{"version 1", v2(0x11, 0x11, b4), 0, refused(ErrProxyMalformed), "version nibble is 1"},
		{"version 3", v2(0x31, 0x11, b4), 0, refused(ErrProxyMalformed), "version"},
		{"command 2", v2(0x22, 0x11, b4), 0, refused(ErrProxyMalformed), "command 0x2"},
		{"command f", v2(0x2f, 0x11, b4), 0, refused(ErrProxyMalformed), "command"},
		{"unix", v2(0x21, 0x31, make([]byte, 216)), 0, refused(ErrProxyMalformed), "AF_UNIX"},
		{"unix dgram", v2(0x21, 0x32, make([]byte, 216)), 0, refused(ErrProxyMalformed), "datagram"},
		{"udp4", v2(0x21, 0x12, b4), 0, refused(ErrProxyMalformed), "datagram"},
		{"udp6", v2(0x21, 0x22, b6), 0, refused(ErrProxyMalformed), "datagram"},
		{"proxy unspec", v2(0x21, 0x00, nil), 0, refused(ErrProxyMalformed), "unspecified family"},
		{"undefined family", v2(0x21, 0x41, b4), 0, refused(ErrProxyMalformed), "0x41"},
		{"undefined protocol", v2(0x21, 0x13, b4), 0, refused(ErrProxyMalformed), "0x13"},
		{"local undefined family", v2(0x20, 0x10, nil), 0, refused(ErrProxyMalformed), "0x10"},
		{"inet6 family with inet block", v2(0x21, 0x21, b4), 0, refused(ErrProxyMalformed), "shorter than the 36-byte"},
		{"inet short", v2len(0x21, 0x11, 11, b4[:11]), 0, refused(ErrProxyMalformed), "shorter than the 12-byte"},
		{"oversized length", big[:16], 0, refused(ErrProxyMalformed), "length 5000 exceeds the limit of 4096"},
		{"length 65535", v2len(0x21, 0x11, 65535, nil), 0, refused(ErrProxyMalformed), "65535"},
		{"length over a lower limit", v2(0x21, 0x11, b4, tlv(0x04, make([]byte, 30))), 44, refused(ErrProxyMalformed), "limit of 44"},
		{"tlv overrun", v2(0x21, 0x11, b4, []byte{0x04, 0, 9, 1}), 0, refused(ErrProxyMalformed), "runs 8 bytes past"},
		{"tlv tail", v2(0x21, 0x11, b4, tlv(0x04, nil), []byte{0x04, 0}), 0, refused(ErrProxyMalformed), "ends 2 bytes into"},
		{"local tlv tail", v2(0x20, 0x00, nil, []byte{0x04}), 0, refused(ErrProxyMalformed), "ends 1 bytes into"},
		{"crc wrong", func() []byte { b := withCRC(v2(0x21, 0x11, b4)); b[len(b)-1] ^= 1; return b }(), 0, refused(ErrProxyMalformed), "checksum"},
		{"crc covers addresses", func() []byte { b := withCRC(v2(0x21, 0x11, b4)); b[16] ^= 1; return b }(), 0, refused(ErrProxyMalformed), "checksum"},
		{"crc short", v2(0x21, 0x11, b4, tlv(tlvCRC32C, []byte{1, 2, 3})), 0, refused(ErrProxyMalformed), "length 3; want 4"},
		{"crc twice", withCRC(withCRC(v2(0x21, 0x11, b4))), 0, refused(ErrProxyMalformed), "twice"},
		{"unique id 129", v2(0x21, 0x11, b4, tlv(tlvUniqueID, make([]byte, 129))), 0, refused(ErrProxyMalformed), "UNIQUE_ID"},
		{"ssl short", v2(0x21, 0x11, b4, tlv(tlvSSL, []byte{1, 0, 0, 0})), 0, refused(ErrProxyMalformed), "SSL"},
		{"ssl sub-tlv overrun", v2(0x21, 0x11, b4, tlv(tlvSSL, []byte{1, 0, 0, 0, 0, 0x22, 0, 5, 'a'})), 0, refused(ErrProxyMalformed), "sub-TLV at byte 36"},
		{"azure empty", v2(0x21, 0x11, b4, tlv(tlvAzure, nil)), 0, refused(ErrProxyMalformed), "Azure TLV"},
		{"azure linkid short", v2(0x21, 0x11, b4, tlv(tlvAzure, []byte{1, 2, 3, 4})), 0, refused(ErrProxyMalformed), "length 4; want 5"},
		{"azure linkid long", v2(0x21, 0x11, b4, tlv(tlvAzure, []byte{1, 2, 3, 4, 5, 6})), 0, refused(ErrProxyMalformed), "length 6"},
		{"azure linkid twice", v2(0x21, 0x11, b4, azureLinkID(1), azureLinkID(2)), 0, refused(ErrProxyMalformed), "twice"},
		{"aws empty", v2(0x21, 0x11, b4, tlv(tlvAWS, nil)), 0, refused(ErrProxyMalformed), "AWS TLV"},
		{"aws vpce empty", v2(0x21, 0x11, b4, awsVPCE("")), 0, refused(ErrProxyMalformed), "VPC endpoint ID"},
		{"aws vpce bytes", v2(0x21, 0x11, b4, awsVPCE("vpce-1 2")), 0, refused(ErrProxyMalformed), `"vpce-1 2"`},
		{"aws vpce twice", v2(0x21, 0x11, b4, awsVPCE("vpce-1"), awsVPCE("vpce-2")), 0, refused(ErrProxyMalformed), "twice"},
		{"incomplete fixed part", v2(0x21, 0x11, b4)[:15], 0, parsed{Kind: "more"}, ""},
		{"incomplete block", v2(0x21, 0x11, b4)[:27], 0, parsed{Kind: "more"}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			max := tt.max
			if max == 0 {
				max = defaultMaxProxyHeader
			}
			got, fault := parse(tt.in, max)
			if d := cmp.Diff(tt.want, got); d != "" {
				t.Fatalf("% x (-want +got)\n%s", tt.in, d)
			}
			if fault != nil && !strings.Contains(fault.Reason, tt.reason) {
				t.Errorf("reason %q lacks %q", fault.Reason, tt.reason)
			}
		})
	}
}

// Every proper prefix of a valid header asks for more bytes, never fails
// and never succeeds.
func TestParseProxyHeaderPrefixes(t *testing.T) {
	for _, in := range proxySeeds() {
		h, n, _, fault := parseProxyHeader(in, defaultMaxProxyHeader)
		if fault != nil || n == 0 {
			continue
		}
		for k := range n {
			if got, _ := parse(in[:k], defaultMaxProxyHeader); got.Kind != "more" {
				t.Errorf("%q: prefix of %d bytes: %+v", in[:n], k, got)
			}
		}
		if h2, n2, _, _ := parseProxyHeader(in[:n], defaultMaxProxyHeader); h2 != h || n2 != n {
			t.Errorf("%q: the header alone parses as %+v, %d", in[:n], h2, n2)
		}
	}
}

func TestProxyHeaderAccessors(t *testing.T) {
	in := withCRC(v2(0x21, 0x21, block("[2001:db8::7]:1", "[2001:db8::1]:2"),
		tlv(0x01, []byte("h2")), azureLinkID(0x01020304), awsVPCE("vpce-08d2bf15fac5001c9"), tlv(0x01, []byte("second"))))
	h, n, _, fault := parseProxyHeader(in, defaultMaxProxyHeader)
	if fault != nil || n != len(in) {
		t.Fatalf("parse: %v, %d", fault, n)
	}
	if id, ok := h.AzureLinkID(); !ok || id != 0x01020304 {
		t.Errorf("AzureLinkID = %#x, %v", id, ok)
	}
	if id, ok := h.AWSVPCEndpointID(); !ok || id != "vpce-08d2bf15fac5001c9" {
		t.Errorf("AWSVPCEndpointID = %q, %v", id, ok)
	}
	alpn, ok := h.TLV(0x01)
	if !ok || string(alpn) != "h2" {
		t.Errorf("TLV(0x01) = %q, %v", alpn, ok)
	}
	alpn[0] = 'X' // a copy: the header does not change
	if again, _ := h.TLV(0x01); string(again) != "h2" {
		t.Errorf("TLV returned a view: now %q", again)
	}
	if _, ok := h.TLV(0x02); ok {
		t.Error("TLV(0x02) found")
	}
	var types []byte
	for _, tv := range h.TLVs() {
		types = append(types, tv.Type)
		tv.Value[0]++
	}
	if d := cmp.Diff([]byte{0x01, tlvAzure, tlvAWS, 0x01, tlvCRC32C}, types); d != "" {
		t.Errorf("TLV types (-want +got)\n%s", d)
	}
	if id, _ := h.AzureLinkID(); id != 0x01020304 {
		t.Error("TLVs returned views")
	}

	var zero ProxyHeader
	if _, ok := zero.AzureLinkID(); ok {
		t.Error("zero header has a LINKID")
	}
	if _, ok := zero.AWSVPCEndpointID(); ok || zero.TLVs() != nil || zero.Version() != 0 || zero.Source().IsValid() {
		t.Error("zero header is not empty")
	}
	v1, _, _, _ := parseProxyHeader([]byte(lineV4), defaultMaxProxyHeader)
	if v1.TLVs() != nil {
		t.Error("v1 header has TLVs")
	}
}

func TestSignature(t *testing.T) {
	for _, tt := range []struct {
		in   string
		want sigMatch
	}{
		{"", sigPartial}, // nothing yet
		{"P", sigPartial},
		{"PROXY", sigPartial},
		{"PROXY ", sigV1},
		{"PROXY TCP4", sigV1},
		{"POST /", sigNone},
		{"PRI * HTTP/2.0", sigNone},
		{"\r\n\r\n\x00\r\nQUI", sigPartial},
		{v2Sig, sigV2},
		{"\r\n\r\n\x01", sigNone},
		{"\x16\x03\x01", sigNone}, // TLS
		{"SSH-2.0", sigNone},
	} {
		if got := signature([]byte(tt.in)); got != tt.want {
			t.Errorf("signature(%q) = %v, want %v", tt.in, got, tt.want)
		}
	}
}

// proxySeeds are valid and invalid headers for the fuzz target and the
// prefix test.
func proxySeeds() [][]byte {
	b4 := block("203.0.113.7:50123", "10.0.0.1:443")
	return [][]byte{
		[]byte(lineV4 + "GET / HTTP/1.1\r\n"),
		[]byte(lineV6),
		[]byte("PROXY TCP6 ::ffff:203.0.113.7 2001:db8::1 1 2\r\n"),
		[]byte("PROXY UNKNOWN\r\n"),
		[]byte(lineMax),
		[]byte("PROXY TCP4 203.0.113.7 10.0.0.1 080 443\r\n"),
		[]byte("PROXY TCP6 fe80::1%eth0 ::1 1 2\r\n"),
		v2(0x21, 0x11, b4),
		v2(0x21, 0x21, block("[::ffff:203.0.113.7]:1", "[2001:db8::1]:2")),
		v2(0x20, 0x00, nil),
		v2(0x20, 0x11, b4),
		withCRC(v2(0x21, 0x11, b4, azureLinkID(7), awsVPCE("vpce-08d2bf15fac5001c9"))),
		withCRC(v2(0x20, 0x21, make([]byte, 36), tlv(0x05, []byte("id")))),
		v2(0x21, 0x11, b4, tlv(tlvSSL, append([]byte{1, 0, 0, 0, 0}, tlv(0x22, []byte("cn"))...))),
		v2len(0x21, 0x11, 5000, b4),
		v2(0x21, 0x31, make([]byte, 216)),
	}
}
