package ipsource

import (
	"crypto/tls"
	"fmt"
	"github.com/ipallow/ipallow/internal/golden"
	"io"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestMessages renders the message of every error kind for a
// representative input and compares them with testdata/messages.golden.
// Messages are product: a change must show up here. Rewrite the file with
//
//	go test ./ipsource -run TestMessages -update
func TestMessages(t *testing.T) {
	var b strings.Builder
	add := func(name string, err error) {
		t.Helper()
		if err == nil {
			t.Fatalf("%s: no error", name)
		}
		msg := err.Error()
		if strings.ContainsAny(msg, "\u2014\u2013\n") {
			t.Errorf("%s: message holds a dash or a newline: %q", name, msg)
		}
		fmt.Fprintf(&b, "%s: %s\n", name, msg)
	}
	xff := must(XForwardedFor(trustedNets))
	fwd := must(Forwarded(trustedNets))
	real := must(Header("X-Real-IP", trustedNets))
	fdid := must(Header("X-Azure-SocketIP", trustedNets, RequireHeader("X-Azure-FDID", "a0a0a0a0-bbbb-cccc-dddd-e1e1e1e1e1e1")))
	clientIP := func(x Extractor, remote string, kv ...string) error {
		_, err := x.ClientIP(newReq(remote, kv...))
		return err
	}

	add("ErrNoPeer/unix", clientIP(RemoteAddr(), "@"))
	add("ErrNoPeer/no port", clientIP(RemoteAddr(), "203.0.113.7"))
	add("ErrNoPeer/PROXY LOCAL", clientIP(xff, string(noAddrLocal)))
	early := newReq("203.0.113.7:443")
	early.TLS = &tls.ConnectionState{}
	_, err := RemoteAddr().ClientIP(early)
	add("ErrNoPeer/early data", err)
	add("ErrHeaderMissing", clientIP(xff, "10.0.0.9:1"))
	add("ErrHeaderRepeated", clientIP(real, "10.0.0.9:1", "X-Real-IP", "203.0.113.7", "X-Real-IP", "198.51.100.1"))
	add("ErrMalformed/X-Forwarded-For", clientIP(xff, "10.0.0.9:1", "X-Forwarded-For", "203.0.113.7, unknown"))
	add("ErrMalformed/Forwarded", clientIP(fwd, "10.0.0.9:1", "Forwarded", `for="[2001:db8::1]`))
	add("ErrNoUntrustedHop", clientIP(xff, "10.0.0.9:1", "X-Forwarded-For", "10.0.0.1, 192.168.0.1"))
	add("ErrNoUntrustedHop/count", clientIP(must(XForwardedForCount(3)), "10.0.0.9:1", "X-Forwarded-For", "203.0.113.7"))
	add("ErrTooManyHops", clientIP(xff, "10.0.0.9:1", "X-Forwarded-For", strings.Repeat("10.0.0.1, ", MaxHops)+"10.0.0.1"))
	add("ErrCompanion", clientIP(fdid, "10.0.0.9:1", "X-Azure-SocketIP", "203.0.113.7", "X-Azure-FDID", "99999999-0000-0000-0000-000000000000"))

	_, err = XForwardedFor(nil)
	add("ErrInvalidConfig/empty", err)
	_, err = Forwarded(pfx("::ffff:10.0.0.0/104"))
	add("ErrInvalidConfig/mapped", err)
	_, err = Header("X_Real_IP", trustedNets)
	add("ErrInvalidConfig/underscore", err)
	_, err = XForwardedForCount(0)
	add("ErrInvalidConfig/hops", err)
	_, err = ProxyListener(newPipeListener(), nil)
	add("ErrInvalidConfig/ProxyListener empty", err)
	_, err = ProxyListener(newPipeListener(), pfx("10.0.0.1/8"))
	add("ErrInvalidConfig/ProxyListener host bits", err)
	_, err = ProxyListener(newPipeListener(), trustedNets, WithMaxProxyHeader(16))
	add("ErrInvalidConfig/WithMaxProxyHeader", err)
	_, err = ProxyListener(newPipeListener(), trustedNets, WithProxyHeaderTimeout(-time.Second))
	add("ErrInvalidConfig/WithProxyHeaderTimeout", err)

	lb := netip.MustParseAddrPort("10.0.0.5:41000")
	header := func(in string) error {
		_, _, _, fault := parseProxyHeader([]byte(in), defaultMaxProxyHeader)
		if fault == nil {
			return nil
		}
		fault.Peer = lb
		return fault
	}
	ended := func(got int, err error, own bool) error {
		e := readFault(got, err, defaultProxyHeaderTimeout, own)
		e.Peer = lb
		return e
	}
	b4 := block("203.0.113.7:50123", "10.0.0.1:443")
	crc := withCRC(v2(0x21, 0x11, b4))
	crc[len(crc)-1] ^= 0xff
	add("ErrProxyMissing/bytes", header("GET / HTTP/1.1\r\nHost: example.com\r\n"))
	add("ErrProxyMissing/EOF", ended(0, io.EOF, true))
	add("ErrProxyMissing/timeout", ended(0, os.ErrDeadlineExceeded, true))
	add("ErrProxyMalformed/v1 port", header("PROXY TCP4 203.0.113.7 10.0.0.1 080 443\r\n"))
	add("ErrProxyMalformed/v1 family", header("PROXY TCP4 2001:db8::7 10.0.0.1 1 2\r\n"))
	add("ErrProxyMalformed/v1 fields", header("PROXY TCP4 203.0.113.7  10.0.0.1 1 2\r\n"))
	add("ErrProxyMalformed/v1 no CRLF", header("PROXY UNKNOWN "+strings.Repeat("x", 100)))
	add("ErrProxyMalformed/v2 length", header(string(v2len(0x21, 0x11, 5000, nil))))
	add("ErrProxyMalformed/v2 family", header(string(v2(0x21, 0x31, make([]byte, 216)))))
	add("ErrProxyMalformed/v2 TLV", header(string(v2(0x21, 0x11, b4, []byte{0x04, 0, 9}))))
	add("ErrProxyMalformed/v2 CRC32C", header(string(crc)))
	add("ErrProxyMalformed/v2 Azure", header(string(v2(0x21, 0x11, b4, tlv(tlvAzure, []byte{1, 2})))))
	add("ErrProxyMalformed/truncated", ended(23, io.EOF, true))
	add("ErrProxyMalformed/server deadline", ended(23, os.ErrDeadlineExceeded, false))
	untrusted := untrustedFault(sigV2)
	untrusted.Peer = netip.MustParseAddrPort("[2001:db8::7]:50123")
	add("ErrProxyUntrusted", untrusted)
	add("ProxyError/no IP peer", untrustedFault(sigV1))

	golden.Check(t, filepath.Join("testdata", "messages.golden"), b.String(), "go test ./ipsource -run TestMessages -update")
}
