package ipsource

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"hash/crc32"
	"net/netip"
	"strconv"
	"strings"
)

// The PROXY protocol's framing, as the HAProxy specification
// (proxy-protocol.txt) defines it.
const (
	v1Prefix = "PROXY "
	v1MaxLen = 107 // the longest v1 line, CRLF included
	v2Sig    = "\r\n\r\n\x00\r\nQUIT\n"
	v2Fixed  = 16 // signature, version and command, family, length

	v2AddrInet  = 12  // two IPv4 addresses and two ports
	v2AddrInet6 = 36  // two IPv6 addresses and two ports
	v2AddrUnix  = 216 // two 108-byte socket paths

	// defaultMaxProxyHeader is the default and largest limit on a v2
	// header's length field.
	defaultMaxProxyHeader = 4096
	// minMaxProxyHeader is the smallest limit: it must admit an IPv6
	// header without TLVs.
	minMaxProxyHeader = v2AddrInet6

	maxUniqueID = 128 // PP2_TYPE_UNIQUE_ID holds at most 128 bytes
)

// TLV types and subtypes that the listener checks or interprets.
const (
	tlvCRC32C   = 0x03
	tlvUniqueID = 0x05
	tlvSSL      = 0x20
	tlvAWS      = 0xEA // PP2_TYPE_AWS; subtype 0x01 is the VPC endpoint ID
	tlvAzure    = 0xEE // PP2_TYPE_AZURE; subtype 0x01 is the private endpoint LINKID

	subtypeAWSVPCEndpointID = 0x01
	subtypeAzureLinkID      = 0x01
)

var (
	castagnoli = crc32.MakeTable(crc32.Castagnoli)
	zeroCRC    [4]byte // the CRC32C value as the checksum sees it
)

// ProxyHeader is a PROXY protocol header that [ProxyListener] accepted on a
// connection from a trusted peer. It is a small immutable value; the zero
// ProxyHeader is no header.
//
// Get it with [ProxyHeaderOf] or, in an HTTP handler, with
// [ProxyHeaderFromContext]. A service behind Azure Private Link Service can
// allow by private endpoint as well as by address:
//
//	h, ok := ipsource.ProxyHeaderFromContext(r.Context())
//	id, found := h.AzureLinkID()
//	if !ok || !found || !allowedEndpoints[id] {
//		http.Error(w, "forbidden", http.StatusForbidden)
//		return
//	}
type ProxyHeader struct {
	version  uint8
	local    bool
	src, dst netip.AddrPort
	tlvs     string // the v2 TLV vector, checked, in wire order
}

// ProxyTLV is one type-length-value field of a PROXY v2 header.
type ProxyTLV struct {
	Type  byte
	Value []byte
}

// Version returns the header's protocol version, 1 (text) or 2 (binary),
// or 0 for the zero ProxyHeader.
func (h ProxyHeader) Version() int { return int(h.version) }

// Local reports whether the header names no client: a v2 LOCAL header, which
// a load balancer sends on connections of its own such as health checks, or
// a v1 UNKNOWN line. Source and Destination are then zero.
func (h ProxyHeader) Local() bool { return h.local }

// Source returns the client's address and port as the load balancer saw
// them: valid, unzoned and unmapped unless the header is Local.
func (h ProxyHeader) Source() netip.AddrPort { return h.src }

// Destination returns the address and port that the client connected to,
// unmapped, or the zero AddrPort if the header is Local.
func (h ProxyHeader) Destination() netip.AddrPort { return h.dst }

// TLV returns a copy of the value of the first v2 TLV of type typ, and
// whether there is one. A NOOP or CRC32C TLV is returned like any other.
func (h ProxyHeader) TLV(typ byte) ([]byte, bool) {
	for t, v := range h.eachTLV {
		if t == typ {
			return []byte(v), true
		}
	}
	return nil, false
}

// TLVs returns copies of all v2 TLVs in the order they were sent, or nil.
func (h ProxyHeader) TLVs() []ProxyTLV {
	var out []ProxyTLV
	for t, v := range h.eachTLV {
		out = append(out, ProxyTLV{Type: t, Value: []byte(v)})
	}
	return out
}

// AzureLinkID returns the LINKID of the Azure private endpoint that the
// connection came through, which Azure Private Link Service sends in a TLV
// of type PP2_TYPE_AZURE (0xEE), subtype 0x01, as a little-endian uint32.
// ok is false if the header carries none.
func (h ProxyHeader) AzureLinkID() (id uint32, ok bool) {
	for t, v := range h.eachTLV {
		if t == tlvAzure && len(v) == 5 && v[0] == subtypeAzureLinkID {
			return uint32(v[1]) | uint32(v[2])<<8 | uint32(v[3])<<16 | uint32(v[4])<<24, true
		}
	}
	return 0, false
}

// AWSVPCEndpointID returns the ID of the VPC endpoint ("vpce-...") that the
// connection came through, which an AWS Network Load Balancer behind a VPC
// endpoint service sends in a TLV of type PP2_TYPE_AWS (0xEA), subtype
// 0x01. ok is false if the header carries none.
func (h ProxyHeader) AWSVPCEndpointID() (id string, ok bool) {
	for t, v := range h.eachTLV {
		if t == tlvAWS && len(v) > 1 && v[0] == subtypeAWSVPCEndpointID {
			return v[1:], true
		}
	}
	return "", false
}

// eachTLV yields the type and value of each TLV. The vector was checked
// when the header was parsed, so it tiles exactly.
func (h ProxyHeader) eachTLV(yield func(byte, string) bool) {
	s := h.tlvs
	for len(s) >= 3 {
		n := int(s[1])<<8 | int(s[2])
		if !yield(s[0], s[3:3+n]) {
			return
		}
		s = s[3+n:]
	}
}

// sigMatch classifies the first bytes of a connection.
type sigMatch int

const (
	sigNone    sigMatch = iota // not a PROXY header
	sigPartial                 // a proper prefix of "PROXY " or of the v2 signature
	sigV1                      // begins with "PROXY "
	sigV2                      // begins with the v2 signature
)

// signature reports whether b begins a PROXY header. Nothing at all may
// still become one.
func signature(b []byte) sigMatch {
	if len(b) == 0 {
		return sigPartial
	}
	for _, s := range [...]struct {
		sig string
		m   sigMatch
	}{{v1Prefix, sigV1}, {v2Sig, sigV2}} {
		n := min(len(b), len(s.sig))
		if string(b[:n]) == s.sig[:n] {
			if n == len(s.sig) {
				return s.m
			}
			return sigPartial
		}
	}
	return sigNone
}

// parseProxyHeader parses the PROXY header at the start of b, a prefix of
// what a trusted peer sent. It returns:
//
//   - n > 0 and the header, if b begins with a complete, valid header of n
//     bytes; the bytes after it belong to the application;
//   - n == 0 and need > len(b), if b is a proper prefix of a header that may
//     still turn out valid: parsing needs at least need bytes;
//   - a *ProxyError without Peer, if b cannot begin a valid header.
//
// maxLen limits a v2 header's length field.
func parseProxyHeader(b []byte, maxLen int) (h ProxyHeader, n, need int, fault *ProxyError) {
	switch signature(b) {
	case sigV1:
		return parseV1(b)
	case sigV2:
		return parseV2(b, maxLen)
	case sigPartial:
		return h, 0, len(b) + 1, nil
	}
	return h, 0, 0, &ProxyError{Kind: ErrProxyMissing,
		Reason: "the first bytes " + quoteBytes(b, 16) + " are neither a PROXY v1 line nor the v2 signature"}
}

func malformed(format string, args ...any) *ProxyError {
	return &ProxyError{Kind: ErrProxyMalformed, Reason: fmt.Sprintf(format, args...)}
}

// quoteBytes quotes at most max bytes of b.
func quoteBytes(b []byte, max int) string {
	if len(b) > max {
		return strconv.Quote(string(b[:max])) + "..."
	}
	return strconv.Quote(string(b))
}

// quoteToken quotes a token of a v1 line, cut to maxEntryText bytes.
func quoteToken(s string) string { return strconv.Quote(truncate(s)) }

// parseV1 parses a v1 line: "PROXY TCP4 src dst sport dport\r\n" (or TCP6)
// with single spaces, or "PROXY UNKNOWN" followed by anything up to CRLF.
func parseV1(b []byte) (h ProxyHeader, n, need int, fault *ProxyError) {
	lf := bytes.IndexByte(b[:min(len(b), v1MaxLen)], '\n')
	if lf < 0 {
		if len(b) >= v1MaxLen {
			return h, 0, 0, malformed("v1 line has no CRLF within %d bytes", v1MaxLen)
		}
		return h, 0, len(b) + 1, nil
	}
	if b[lf-1] != '\r' {
		return h, 0, 0, malformed("v1 line ends in LF without CR at byte %d", lf)
	}
	line := string(b[len(v1Prefix) : lf-1])
	if i := strings.IndexByte(line, '\r'); i >= 0 {
		return h, 0, 0, malformed("v1 line holds a CR at byte %d before its CRLF", len(v1Prefix)+i)
	}
	proto, rest, found := strings.Cut(line, " ")
	switch proto {
	case "UNKNOWN":
		// The receiver ignores everything after UNKNOWN up to the CRLF.
		return ProxyHeader{version: 1, local: true}, lf + 1, 0, nil
	case "TCP4", "TCP6":
	case "":
		return h, 0, 0, malformed("v1 line has no protocol after PROXY, or two spaces in a row")
	default:
		return h, 0, 0, malformed("v1 protocol %s is not TCP4, TCP6 or UNKNOWN", quoteToken(proto))
	}
	if !found {
		return h, 0, 0, malformed("v1 %s line ends after the protocol; want source, destination, source port and destination port", proto)
	}
	var tok [4]string
	nf := 0
	for more := true; more; nf++ {
		var f string
		f, rest, more = strings.Cut(rest, " ")
		if nf < len(tok) {
			tok[nf] = f
		}
	}
	if nf != len(tok) {
		return h, 0, 0, malformed("v1 %s line has %d fields after the protocol; want source, destination, source port and destination port, separated by single spaces", proto, nf)
	}
	six := proto == "TCP6"
	src, fault := v1Addr(proto, "source", tok[0], six)
	if fault != nil {
		return h, 0, 0, fault
	}
	dst, fault := v1Addr(proto, "destination", tok[1], six)
	if fault != nil {
		return h, 0, 0, fault
	}
	sport, fault := v1Port("source", tok[2])
	if fault != nil {
		return h, 0, 0, fault
	}
	dport, fault := v1Port("destination", tok[3])
	if fault != nil {
		return h, 0, 0, fault
	}
	return ProxyHeader{version: 1, src: netip.AddrPortFrom(src, sport), dst: netip.AddrPortFrom(dst, dport)}, lf + 1, 0, nil
}

// v1Addr parses an address field of a TCP4 or TCP6 line.
func v1Addr(proto, which, s string, six bool) (netip.Addr, *ProxyError) {
	if s == "" {
		return netip.Addr{}, malformed("v1 %s field is empty (two spaces in a row, or a space before CRLF)", which)
	}
	a, err := netip.ParseAddr(s)
	switch {
	case err != nil:
		return netip.Addr{}, malformed("v1 %s address %s is not an IP address", which, quoteToken(s))
	case a.Zone() != "":
		return netip.Addr{}, malformed("v1 %s address %s has a zone", which, quoteToken(s))
	case six && !a.Is6():
		return netip.Addr{}, malformed("v1 %s address %s is not IPv6, which %s requires", which, quoteToken(s), proto)
	case !six && !a.Is4():
		return netip.Addr{}, malformed("v1 %s address %s is not IPv4, which %s requires", which, quoteToken(s), proto)
	}
	return a.Unmap(), nil
}

// v1Port parses a port field: 0-65535 in decimal, without sign or leading
// zero.
func v1Port(which, s string) (uint16, *ProxyError) {
	if !portDigits(s) {
		return 0, malformed("v1 %s port %s is not 0-65535 in digits without a leading zero", which, quoteToken(s))
	}
	p, _ := strconv.ParseUint(s, 10, 16)
	return uint16(p), nil
}

// parseV2 parses a binary v2 header.
func parseV2(b []byte, maxLen int) (h ProxyHeader, n, need int, fault *ProxyError) {
	if len(b) < v2Fixed {
		return h, 0, v2Fixed, nil
	}
	verCmd, fam := b[12], b[13]
	length := int(binary.BigEndian.Uint16(b[14:16]))
	if v := verCmd >> 4; v != 2 {
		return h, 0, 0, malformed("v2 version nibble is %d; want 2", v)
	}
	local := false
	switch verCmd & 0x0f {
	case 0x0:
		local = true
	case 0x1:
	default:
		return h, 0, 0, malformed("v2 command 0x%x is neither LOCAL (0x0) nor PROXY (0x1)", verCmd&0x0f)
	}
	var addrLen int
	switch fam {
	case 0x00:
		addrLen = 0
	case 0x11, 0x12:
		addrLen = v2AddrInet
	case 0x21, 0x22:
		addrLen = v2AddrInet6
	case 0x31, 0x32:
		addrLen = v2AddrUnix
	default:
		return h, 0, 0, malformed("v2 address family and protocol byte 0x%02x is not defined", fam)
	}
	if !local {
		switch fam {
		case 0x00:
			return h, 0, 0, malformed("v2 PROXY header with the unspecified family (0x0) names no client; the load balancer must send an address or the LOCAL command")
		case 0x12, 0x22, 0x32:
			return h, 0, 0, malformed("v2 PROXY header for a datagram (DGRAM) connection arrived on a stream connection")
		case 0x31:
			return h, 0, 0, malformed("v2 PROXY header with family AF_UNIX names no IP client")
		}
	}
	if length > maxLen {
		return h, 0, 0, malformed("v2 length %d exceeds the limit of %d bytes", length, maxLen)
	}
	if !local && length < addrLen {
		return h, 0, 0, malformed("v2 length %d is shorter than the %d-byte address block of family 0x%02x", length, addrLen, fam)
	}
	total := v2Fixed + length
	if len(b) < total {
		return h, 0, total, nil
	}
	hdr := b[:total]
	if local && length < addrLen {
		// The specification has the receiver discard a LOCAL header's
		// block whatever its family; a block too short for its family
		// carries no TLVs.
		return ProxyHeader{version: 2, local: true}, total, 0, nil
	}
	if fault := checkTLVs(hdr, v2Fixed+addrLen); fault != nil {
		return h, 0, 0, fault
	}
	h = ProxyHeader{version: 2, local: local}
	if tlvs := hdr[v2Fixed+addrLen:]; len(tlvs) > 0 {
		h.tlvs = string(tlvs)
	}
	if local {
		return h, total, 0, nil
	}
	a := hdr[v2Fixed:]
	if fam == 0x11 {
		h.src = netip.AddrPortFrom(netip.AddrFrom4([4]byte(a[0:4])), binary.BigEndian.Uint16(a[8:10]))
		h.dst = netip.AddrPortFrom(netip.AddrFrom4([4]byte(a[4:8])), binary.BigEndian.Uint16(a[10:12]))
	} else {
		h.src = netip.AddrPortFrom(netip.AddrFrom16([16]byte(a[0:16])).Unmap(), binary.BigEndian.Uint16(a[32:34]))
		h.dst = netip.AddrPortFrom(netip.AddrFrom16([16]byte(a[16:32])).Unmap(), binary.BigEndian.Uint16(a[34:36]))
	}
	return h, total, 0, nil
}

// checkTLVs checks the TLV vector hdr[off:] of the complete v2 header hdr:
// the TLVs must tile it exactly; a CRC32C TLV must be 4 bytes, appear once
// and match; UNIQUE_ID holds at most 128 bytes; an SSL TLV holds its 5-byte
// preamble and sub-TLVs that tile the rest; AWS and Azure TLVs start with a
// subtype, a VPC endpoint ID is non-empty [A-Za-z0-9-], an Azure LINKID is
// 4 bytes, and neither appears twice.
func checkTLVs(hdr []byte, off int) *ProxyError {
	var crcAt = -1
	var seenAWS, seenAzure bool
	for i := off; i < len(hdr); {
		if len(hdr)-i < 3 {
			return malformed("v2 TLV at byte %d is cut off: the header ends %d bytes into its 3 type and length bytes", i, len(hdr)-i)
		}
		typ := hdr[i]
		l := int(binary.BigEndian.Uint16(hdr[i+1 : i+3]))
		v := i + 3
		if v+l > len(hdr) {
			return malformed("v2 TLV 0x%02x at byte %d: length %d runs %d bytes past the header", typ, i, l, v+l-len(hdr))
		}
		val := hdr[v : v+l]
		switch typ {
		case tlvCRC32C:
			if l != 4 {
				return malformed("v2 CRC32C TLV at byte %d has length %d; want 4", i, l)
			}
			if crcAt >= 0 {
				return malformed("v2 CRC32C TLV appears twice, at bytes %d and %d", crcAt-3, i)
			}
			crcAt = v
		case tlvUniqueID:
			if l > maxUniqueID {
				return malformed("v2 UNIQUE_ID TLV at byte %d has %d bytes; at most %d are allowed", i, l, maxUniqueID)
			}
		case tlvSSL:
			if l < 5 {
				return malformed("v2 SSL TLV at byte %d has %d bytes; it needs at least 5 (client flags and verify result)", i, l)
			}
			if at := subTLVsTile(val[5:]); at >= 0 {
				return malformed("v2 SSL TLV at byte %d: its sub-TLV at byte %d runs past it", i, v+5+at)
			}
		case tlvAWS:
			if l == 0 {
				return malformed("v2 AWS TLV at byte %d is empty; it must begin with a subtype", i)
			}
			if val[0] == subtypeAWSVPCEndpointID {
				if seenAWS {
					return malformed("v2 AWS VPC endpoint ID TLV appears twice")
				}
				seenAWS = true
				if !vpceID(val[1:]) {
					return malformed("v2 AWS VPC endpoint ID %s at byte %d is not a non-empty run of letters, digits and '-'", quoteBytes(val[1:], maxEntryText), i)
				}
			}
		case tlvAzure:
			if l == 0 {
				return malformed("v2 Azure TLV at byte %d is empty; it must begin with a subtype", i)
			}
			if val[0] == subtypeAzureLinkID {
				if seenAzure {
					return malformed("v2 Azure LINKID TLV appears twice")
				}
				seenAzure = true
				if l != 5 {
					return malformed("v2 Azure LINKID TLV at byte %d has length %d; want 5 (subtype and a 4-byte LINKID)", i, l)
				}
			}
		}
		i = v + l
	}
	if crcAt >= 0 {
		want := binary.BigEndian.Uint32(hdr[crcAt : crcAt+4])
		got := crc32.Update(0, castagnoli, hdr[:crcAt])
		got = crc32.Update(got, castagnoli, zeroCRC[:])
		got = crc32.Update(got, castagnoli, hdr[crcAt+4:])
		if got != want {
			return malformed("v2 CRC32C TLV holds 0x%08x, but the header's checksum is 0x%08x", want, got)
		}
	}
	return nil
}

// subTLVsTile returns -1 if the sub-TLVs in b tile it exactly, or the
// offset of the first one that does not fit.
func subTLVsTile(b []byte) int {
	for i := 0; i < len(b); {
		if len(b)-i < 3 {
			return i
		}
		next := i + 3 + int(binary.BigEndian.Uint16(b[i+1:i+3]))
		if next > len(b) {
			return i
		}
		i = next
	}
	return -1
}

// vpceID reports whether b is a plausible VPC endpoint ID: letters, digits
// and '-', at least one byte.
func vpceID(b []byte) bool {
	if len(b) == 0 {
		return false
	}
	for _, c := range b {
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-') {
			return false
		}
	}
	return true
}
