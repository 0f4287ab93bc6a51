package ipsource

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/netip"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// addrConn is one end of a net.Pipe with a chosen peer address.
type addrConn struct {
	net.Conn
	remote net.Addr
}

func (c addrConn) RemoteAddr() net.Addr { return c.remote }

// pipeListener hands out the server ends of pipes.
type pipeListener struct {
	conns chan net.Conn
	done  chan struct{}
	once  sync.Once
}

func newPipeListener() *pipeListener {
	return &pipeListener{conns: make(chan net.Conn), done: make(chan struct{})}
}

func (l *pipeListener) Accept() (net.Conn, error) {
	select {
	case c := <-l.conns:
		return c, nil
	case <-l.done:
		return nil, net.ErrClosed
	}
}

func (l *pipeListener) Close() error {
	l.once.Do(func() { close(l.done) })
	return nil
}

func (l *pipeListener) Addr() net.Addr { return pipeAddr{} }

type pipeAddr struct{}

func (pipeAddr) Network() string { return "pipe" }
func (pipeAddr) String() string  { return "pipe" }

// dial connects a client from peer; it blocks until Accept takes it.
func (l *pipeListener) dial(peer string) net.Conn {
	client, server := net.Pipe()
	remote := net.TCPAddrFromAddrPort(netip.MustParseAddrPort(peer))
	go func() {
		select {
		case l.conns <- addrConn{server, remote}:
		case <-l.done:
			server.Close()
		}
	}()
	return client
}

// transport runs the listener tests over one kind of connection.
type transport struct {
	name string
	// setup returns a ProxyListener whose client connections come from a
	// trusted or an untrusted peer, and a dial function for them.
	setup func(t *testing.T, trustedPeer bool, opts ...ProxyOption) (net.Listener, func() net.Conn)
}

var transports = []transport{
	{"tcp", func(t *testing.T, trustedPeer bool, opts ...ProxyOption) (net.Listener, func() net.Conn) {
		base, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		trusted := pfx("127.0.0.0/8")
		if !trustedPeer {
			trusted = pfx("192.0.2.0/24")
		}
		ln, err := ProxyListener(base, trusted, opts...)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { ln.Close() })
		return ln, func() net.Conn {
			c, err := net.Dial("tcp", base.Addr().String())
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { c.Close() })
			return c
		}
	}},
	{"pipe", func(t *testing.T, trustedPeer bool, opts ...ProxyOption) (net.Listener, func() net.Conn) {
		base := newPipeListener()
		ln, err := ProxyListener(base, trustedNets, opts...)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { ln.Close() })
		peer := "10.0.0.5:41000"
		if !trustedPeer {
			peer = "198.51.100.7:5555"
		}
		return ln, func() net.Conn {
			c := base.dial(peer)
			t.Cleanup(func() { c.Close() })
			return c
		}
	}},
}

// served is what a listener test compares: what the server saw of one
// connection.
type served struct {
	Remote string // RemoteAddr().String(); "peer" for the real TCP peer
	Data   string // the bytes read until EOF
	Kind   string // the kind of the *ProxyError that ended the reads
	Hook   string // the kind reported to the hook
}

// closeWrite ends what the client sends: a TCP half-close, or closing a
// pipe.
func closeWrite(c net.Conn) {
	if tc, ok := c.(*net.TCPConn); ok {
		tc.CloseWrite()
		return
	}
	c.Close()
}

// serveOne sends in from a client, then accepts the connection, asks for
// RemoteAddr and reads it to the end.
func serveOne(t *testing.T, tr transport, trustedPeer bool, in []byte, opts ...ProxyOption) (served, error) {
	t.Helper()
	hooked := make(chan error, 1)
	opts = append(opts, WithProxyHook(func(peer netip.AddrPort, err error) {
		if !peer.IsValid() {
			t.Errorf("hook: peer %v", peer)
		}
		hooked <- err
	}))
	ln, dial := tr.setup(t, trustedPeer, opts...)
	client := dial()
	go func() {
		client.Write(in) // fails if the server closes first
		closeWrite(client)
	}()
	c, err := ln.Accept()
	if err != nil {
		t.Fatalf("Accept: %v", err)
	}
	defer c.Close()
	var got served
	got.Remote = c.RemoteAddr().String()
	if got.Remote == client.LocalAddr().String() || tr.name == "pipe" && strings.HasPrefix(got.Remote, "198.51.100.7:") {
		got.Remote = "peer"
	}
	data, err := io.ReadAll(c)
	got.Data = string(data)
	var pe *ProxyError
	if errors.As(err, &pe) {
		got.Kind = pe.Kind.Error()
		if len(data) > 0 {
			t.Errorf("data %q before the connection was refused", data)
		}
		if _, werr := c.Write([]byte("x")); !errors.Is(werr, pe.Kind) {
			t.Errorf("Write after refusal: %v", werr)
		}
	} else if err != nil {
		t.Fatalf("ReadAll: %v", err)
	}
	select {
	case herr := <-hooked:
		got.Hook = kindOf(herr)
		if !errors.Is(err, herr) {
			t.Errorf("hook got %v, Read %v", herr, err)
		}
	default:
	}
	return got, err
}

func kindOf(err error) string {
	var pe *ProxyError
	if !errors.As(err, &pe) {
		return fmt.Sprintf("not a *ProxyError: %v", err)
	}
	return pe.Kind.Error()
}

func pass(remote, data string) served { return served{Remote: remote, Data: data} }
func closed(remote string, kind error) served {
	return served{Remote: remote, Kind: kind.Error(), Hook: kind.Error()}
}

func TestProxyListener(t *testing.T) {
	const req = "GET / HTTP/1.1\r\nHost: x\r\n\r\n"
	b4 := block("203.0.113.7:50123", "10.0.0.1:443")
	b6 := block("[2001:db8::7]:50123", "[2001:db8::1]:443")
	tlvs := withCRC(v2(0x21, 0x11, b4, azureLinkID(7), awsVPCE("vpce-08d2bf15fac5001c9"), tlv(0x01, []byte("h2"))))
	tests := []struct {
		name    string
		trusted bool
		in      string
		want    served
	}{
		{"v1 tcp4", true, lineV4 + req, pass("203.0.113.7:50123", req)},
		{"v1 tcp6", true, lineV6 + req, pass("[2001:db8::7]:50123", req)},
		{"v1 mapped source", true, "PROXY TCP6 ::ffff:203.0.113.7 2001:db8::1 50123 443\r\n" + req, pass("203.0.113.7:50123", req)},
		{"v1 unknown", true, "PROXY UNKNOWN\r\n" + req, pass("PROXY UNKNOWN", req)},
		{"v1 header only", true, lineV4, pass("203.0.113.7:50123", "")},
		{"v2 ipv4", true, string(v2(0x21, 0x11, b4)) + req, pass("203.0.113.7:50123", req)},
		{"v2 ipv6", true, string(v2(0x21, 0x21, b6)) + req, pass("[2001:db8::7]:50123", req)},
		{"v2 mapped source", true, string(v2(0x21, 0x21, block("[::ffff:203.0.113.7]:50123", "[2001:db8::1]:443"))) + req, pass("203.0.113.7:50123", req)},
		{"v2 tlvs", true, string(tlvs) + req, pass("203.0.113.7:50123", req)},
		{"v2 local", true, string(v2(0x20, 0x00, nil)) + req, pass("PROXY LOCAL", req)},
		{"v2 binary data after", true, string(v2(0x21, 0x11, b4)) + "\x00\r\n\r\n\x00PROXY ", pass("203.0.113.7:50123", "\x00\r\n\r\n\x00PROXY ")},

		{"v1 family mismatch", true, "PROXY TCP4 2001:db8::7 10.0.0.1 1 2\r\n" + req, closed("PROXY refused", ErrProxyMalformed)},
		{"v2 family mismatch", true, string(v2(0x21, 0x21, b4)) + req, closed("PROXY refused", ErrProxyMalformed)},
		{"v2 oversized length", true, string(v2len(0x21, 0x11, 4097, b4)), closed("PROXY refused", ErrProxyMalformed)},
		{"v2 crc mismatch", true, string(tlvs[:len(tlvs)-1]) + "\x00" + req, closed("PROXY refused", ErrProxyMalformed)},
		{"v2 unix", true, string(v2(0x21, 0x31, make([]byte, 216))), closed("PROXY refused", ErrProxyMalformed)},
		{"v1 leading zero port", true, "PROXY TCP4 203.0.113.7 10.0.0.1 050 443\r\n", closed("PROXY refused", ErrProxyMalformed)},
		{"v1 without CRLF", true, "PROXY UNKNOWN " + strings.Repeat("x", 200), closed("PROXY refused", ErrProxyMalformed)},
		{"trusted without header", true, req, closed("PROXY refused", ErrProxyMissing)},
		{"trusted sends nothing", true, "", closed("PROXY refused", ErrProxyMissing)},
		{"trusted header twice", true, lineV4 + lineV4, pass("203.0.113.7:50123", lineV4)},

		{"untrusted v1 header", false, lineV4 + req, closed("peer", ErrProxyUntrusted)},
		{"untrusted v2 header", false, string(v2(0x21, 0x11, b4)) + req, closed("peer", ErrProxyUntrusted)},
		{"untrusted local", false, string(v2(0x20, 0x00, nil)), closed("peer", ErrProxyUntrusted)},
		{"untrusted malformed v1", false, "PROXY junk\r\n", closed("peer", ErrProxyUntrusted)},
		{"untrusted without header", false, req, pass("peer", req)},
		{"untrusted POST", false, "POST / HTTP/1.1\r\n\r\n", pass("peer", "POST / HTTP/1.1\r\n\r\n")},
		{"untrusted h2 preface", false, "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", pass("peer", "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n")},
		{"untrusted PROXY prefix then EOF", false, "PROXY", pass("peer", "PROXY")},
		{"untrusted v2 prefix then EOF", false, v2Sig[:11], pass("peer", v2Sig[:11])},
		{"untrusted one byte", false, "P", pass("peer", "P")},
		{"untrusted TLS", false, "\x16\x03\x01\x00\x05hello", pass("peer", "\x16\x03\x01\x00\x05hello")},
		{"untrusted sends nothing", false, "", pass("peer", "")},
	}
	for _, tr := range transports {
		for _, tt := range tests {
			t.Run(tr.name+"/"+tt.name, func(t *testing.T) {
				got, _ := serveOne(t, tr, tt.trusted, []byte(tt.in))
				if d := cmp.Diff(tt.want, got); d != "" {
					t.Errorf("(-want +got)\n%s", d)
				}
			})
		}
	}
}

// Each prefix of a header, followed by EOF, closes the connection.
func TestProxyListenerTruncated(t *testing.T) {
	b4 := block("203.0.113.7:50123", "10.0.0.1:443")
	headers := map[string][]byte{
		"v1": []byte(lineV6),
		"v2": withCRC(v2(0x21, 0x11, b4, azureLinkID(7), awsVPCE("vpce-1"))),
	}
	for _, tr := range transports {
		for name, h := range headers {
			for k := range len(h) {
				t.Run(fmt.Sprintf("%s/%s/%d", tr.name, name, k), func(t *testing.T) {
					got, err := serveOne(t, tr, true, h[:k])
					want := closed("PROXY refused", ErrProxyMalformed)
					cause := io.ErrUnexpectedEOF
					if k == 0 {
						want = closed("PROXY refused", ErrProxyMissing)
						cause = io.EOF
					}
					if d := cmp.Diff(want, got); d != "" {
						t.Errorf("(-want +got)\n%s", d)
					}
					if !errors.Is(err, cause) {
						t.Errorf("error %v does not wrap %v", err, cause)
					}
				})
			}
		}
	}
}

// A trusted peer that sends nothing is closed at the header deadline, and
// meanwhile other connections are accepted and served.
func TestProxyListenerSilentPeer(t *testing.T) {
	for _, tr := range transports {
		t.Run(tr.name, func(t *testing.T) {
			const timeout = time.Second
			hooked := make(chan error, 2)
			ln, dial := tr.setup(t, true, WithProxyHeaderTimeout(timeout),
				WithProxyHook(func(_ netip.AddrPort, err error) { hooked <- err }))

			dial()                // a peer that sends nothing
			a, err := ln.Accept() // returns although nothing was sent
			if err != nil {
				t.Fatal(err)
			}
			aDone := make(chan served, 1)
			go func() {
				remote := a.RemoteAddr().String() // blocks until the deadline
				_, err := a.Read(make([]byte, 1))
				if !errors.Is(err, os.ErrDeadlineExceeded) {
					t.Errorf("silent peer: %v does not wrap os.ErrDeadlineExceeded", err)
				}
				aDone <- served{Remote: remote, Kind: kindOf(err)}
			}()

			b := dial()
			go func() { b.Write([]byte(lineV4 + "ping")) }()
			bc, err := ln.Accept()
			if err != nil {
				t.Fatal(err)
			}
			buf := make([]byte, 4)
			if _, err := io.ReadFull(bc, buf); err != nil || string(buf) != "ping" || bc.RemoteAddr().String() != "203.0.113.7:50123" {
				t.Fatalf("second connection: %q, %v, %v", buf, err, bc.RemoteAddr())
			}
			select {
			case got := <-aDone:
				t.Fatalf("the silent connection ended before the other was served: %+v", got)
			default:
			}
			if d := cmp.Diff(served{Remote: "PROXY refused", Kind: ErrProxyMissing.Error()}, <-aDone); d != "" {
				t.Errorf("silent connection (-want +got)\n%s", d)
			}
			if err := <-hooked; !errors.Is(err, ErrProxyMissing) || !errors.Is(err, os.ErrDeadlineExceeded) {
				t.Errorf("hook: %v", err)
			}
		})
	}
}

// The header deadline is lifted after the header, and a deadline the server
// set itself stays in force.
func TestProxyListenerDeadlines(t *testing.T) {
	for _, tr := range transports {
		t.Run(tr.name, func(t *testing.T) {
			ln, dial := tr.setup(t, true, WithProxyHeaderTimeout(200*time.Millisecond))

			// The header arrives in time; the data only after the header
			// deadline would have passed.
			client := dial()
			go func() {
				client.Write([]byte(lineV4))
				time.Sleep(400 * time.Millisecond)
				client.Write([]byte("late"))
			}()
			c, err := ln.Accept()
			if err != nil {
				t.Fatal(err)
			}
			buf := make([]byte, 4)
			if _, err := io.ReadFull(c, buf); err != nil || string(buf) != "late" {
				t.Fatalf("after the header: %q, %v", buf, err)
			}

			// A read deadline set before the first Read is kept.
			client = dial()
			go func() { client.Write([]byte(lineV4)) }()
			c, err = ln.Accept()
			if err != nil {
				t.Fatal(err)
			}
			c.SetReadDeadline(time.Now().Add(600 * time.Millisecond))
			_, err = c.Read(buf)
			var pe *ProxyError
			if !errors.Is(err, os.ErrDeadlineExceeded) || errors.As(err, &pe) {
				t.Fatalf("read past the server's deadline: %v", err)
			}
			if c.RemoteAddr().String() != "203.0.113.7:50123" {
				t.Errorf("RemoteAddr = %v", c.RemoteAddr())
			}
		})
	}
}

// An untrusted peer's first Read may time out before its bytes decide; a
// later Read resumes with the bytes intact.
func TestProxyListenerUntrustedTimeoutResumes(t *testing.T) {
	for _, tr := range transports {
		t.Run(tr.name, func(t *testing.T) {
			ln, dial := tr.setup(t, false)
			client := dial()
			resume := make(chan struct{})
			go func() {
				client.Write([]byte("PR"))
				<-resume
				client.Write([]byte("I * HTTP/2.0"))
				closeWrite(client)
			}()
			c, err := ln.Accept()
			if err != nil {
				t.Fatal(err)
			}
			c.SetReadDeadline(time.Now().Add(100 * time.Millisecond))
			if _, err := c.Read(make([]byte, 8)); !errors.Is(err, os.ErrDeadlineExceeded) {
				t.Fatalf("first Read: %v", err)
			}
			close(resume)
			c.SetReadDeadline(time.Time{})
			data, err := io.ReadAll(c)
			if err != nil || string(data) != "PRI * HTTP/2.0" {
				t.Fatalf("ReadAll = %q, %v", data, err)
			}
		})
	}
}

// RemoteAddr, Read, Write and ProxyHeaderOf may be called concurrently
// while the header is read.
func TestProxyListenerConcurrentCalls(t *testing.T) {
	for _, tr := range transports {
		t.Run(tr.name, func(t *testing.T) {
			ln, dial := tr.setup(t, true)
			client := dial()
			c, accepted := net.Conn(nil), make(chan struct{})
			go func() {
				var err error
				if c, err = ln.Accept(); err != nil {
					t.Error(err)
				}
				close(accepted)
			}()
			go func() {
				client.Write(withCRC(v2(0x21, 0x11, block("203.0.113.7:1", "10.0.0.1:2"), azureLinkID(9))))
				client.Write([]byte("data"))
				io.Copy(io.Discard, client)
			}()
			<-accepted
			var wg sync.WaitGroup
			for range 4 {
				wg.Go(func() {
					if got := c.RemoteAddr().String(); got != "203.0.113.7:1" {
						t.Errorf("RemoteAddr = %q", got)
					}
					if h, ok := ProxyHeaderOf(c); !ok || h.Source().String() != "203.0.113.7:1" {
						t.Errorf("ProxyHeaderOf = %+v, %v", h, ok)
					}
				})
			}
			wg.Go(func() {
				if _, err := c.Write([]byte("reply")); err != nil {
					t.Errorf("Write: %v", err)
				}
			})
			buf := make([]byte, 4)
			if _, err := io.ReadFull(c, buf); err != nil || string(buf) != "data" {
				t.Errorf("Read = %q, %v", buf, err)
			}
			wg.Wait()
		})
	}
}

func TestProxyHeaderOf(t *testing.T) {
	tr := transports[1]
	ln, dial := tr.setup(t, true)
	client := dial()
	go client.Write(v2(0x21, 0x11, block("203.0.113.7:1", "10.0.0.1:2"), awsVPCE("vpce-0abc")))
	c, err := ln.Accept()
	if err != nil {
		t.Fatal(err)
	}
	wrapped := netConnWrapper{c} // as a *tls.Conn wraps it
	h, ok := ProxyHeaderOf(wrapped)
	if id, _ := h.AWSVPCEndpointID(); !ok || id != "vpce-0abc" {
		t.Errorf("ProxyHeaderOf(wrapped) = %+v, %v", h, ok)
	}
	ctx := ProxyConnContext(context.Background(), wrapped)
	if h2, ok := ProxyHeaderFromContext(ctx); !ok || h2 != h {
		t.Errorf("ProxyHeaderFromContext = %+v, %v", h2, ok)
	}

	// No header: an untrusted peer, another connection, no context.
	uln, udial := tr.setup(t, false)
	go udial().Write([]byte("GET"))
	uc, err := uln.Accept()
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := ProxyHeaderOf(uc); ok {
		t.Error("header on an untrusted connection")
	}
	p1, p2 := net.Pipe()
	defer p1.Close()
	defer p2.Close()
	if _, ok := ProxyHeaderOf(p1); ok {
		t.Error("header on a plain connection")
	}
	if ctx := ProxyConnContext(context.Background(), p1); ctx != context.Background() {
		t.Error("context changed for a plain connection")
	}
	if _, ok := ProxyHeaderFromContext(context.Background()); ok {
		t.Error("header in an empty context")
	}

	// A refused connection has no header either.
	client = dial()
	go client.Write([]byte("GET / HTTP/1.1\r\n"))
	rc, err := ln.Accept()
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := ProxyHeaderOf(rc); ok {
		t.Error("header on a refused connection")
	}
}

type netConnWrapper struct{ net.Conn }

func (w netConnWrapper) NetConn() net.Conn { return w.Conn }

// Closing a connection while its header is read is not reported to the hook.
func TestProxyListenerCloseIsNotReported(t *testing.T) {
	tr := transports[0]
	hooked := make(chan error, 1)
	ln, dial := tr.setup(t, true, WithProxyHook(func(_ netip.AddrPort, err error) { hooked <- err }))
	dial()
	c, err := ln.Accept()
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error)
	go func() {
		_, err := c.Read(make([]byte, 1))
		done <- err
	}()
	time.Sleep(50 * time.Millisecond) // let Read block on the header
	c.Close()
	if err := <-done; err == nil {
		t.Fatal("Read after Close succeeded")
	}
	select {
	case err := <-hooked:
		t.Errorf("hook called for a connection the server closed: %v", err)
	default:
	}
}

func TestProxyListenerConfig(t *testing.T) {
	base := newPipeListener()
	good := pfx("10.0.0.0/8")
	tests := []struct {
		name    string
		ln      net.Listener
		trusted []netip.Prefix
		opts    []ProxyOption
		want    string // a part of the error; "" for none
	}{
		{"ok", base, good, nil, ""},
		{"zero option", base, good, []ProxyOption{{}}, ""},
		{"zero arguments", base, good, []ProxyOption{WithProxyHeaderTimeout(0), WithMaxProxyHeader(0), WithProxyHook(nil)}, ""},
		{"limits", base, good, []ProxyOption{WithMaxProxyHeader(36), WithMaxProxyHeader(4096), WithProxyHeaderTimeout(time.Hour)}, ""},
		{"nil listener", nil, good, nil, "listener is nil"},
		{"empty trusted", base, nil, nil, "empty"},
		{"invalid prefix", base, []netip.Prefix{{}}, nil, "not a valid prefix"},
		{"mapped prefix", base, pfx("::ffff:10.0.0.0/104"), nil, "IPv4-mapped"},
		{"host bits", base, pfx("10.0.0.1/8"), nil, "host bits"},
		{"zero bits", base, pfx("0.0.0.0/0"), nil, "every address"},
		{"negative timeout", base, good, []ProxyOption{WithProxyHeaderTimeout(-time.Second)}, "negative"},
		{"limit too small", base, good, []ProxyOption{WithMaxProxyHeader(35)}, "36 to 4096"},
		{"limit too large", base, good, []ProxyOption{WithMaxProxyHeader(4097)}, "36 to 4096"},
		{"negative limit", base, good, []ProxyOption{WithMaxProxyHeader(-1)}, "36 to 4096"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ln, err := ProxyListener(tt.ln, tt.trusted, tt.opts...)
			if tt.want == "" {
				if err != nil || ln == nil {
					t.Fatalf("ProxyListener: %v", err)
				}
				return
			}
			if !errors.Is(err, ErrInvalidConfig) || !strings.Contains(err.Error(), tt.want) || ln != nil {
				t.Fatalf("ProxyListener = %v, %v; want ErrInvalidConfig with %q", ln, err, tt.want)
			}
			if !strings.HasPrefix(err.Error(), "ipsource.ProxyListener: ") {
				t.Errorf("message %q lacks the function name", err)
			}
		})
	}
}

// A lower WithMaxProxyHeader limit refuses headers over it.
func TestProxyListenerMaxHeader(t *testing.T) {
	h := v2(0x21, 0x11, block("203.0.113.7:1", "10.0.0.1:2"), tlv(0x04, make([]byte, 40)))
	got, _ := serveOne(t, transports[1], true, h, WithMaxProxyHeader(54))
	if d := cmp.Diff(closed("PROXY refused", ErrProxyMalformed), got); d != "" {
		t.Errorf("over the limit (-want +got)\n%s", d)
	}
	got, _ = serveOne(t, transports[1], true, h, WithMaxProxyHeader(55))
	if d := cmp.Diff(pass("203.0.113.7:1", ""), got); d != "" {
		t.Errorf("at the limit (-want +got)\n%s", d)
	}
}

// A request on a connection whose PROXY header names no client is refused
// by every Extractor.
func TestProxyNoClientRefused(t *testing.T) {
	extractors := map[string]Extractor{
		"RemoteAddr":         RemoteAddr(),
		"XForwardedFor":      must(XForwardedFor(trustedNets)),
		"XForwardedForCount": must(XForwardedForCount(1)),
		"Forwarded":          must(Forwarded(trustedNets)),
		"ForwardedCount":     must(ForwardedCount(1)),
		"Header":             must(Header("X-Real-IP", trustedNets)),
	}
	for _, remote := range []string{string(noAddrLocal), string(noAddrUnknown), string(noAddrRefused)} {
		r := newReq(remote, "X-Forwarded-For", "203.0.113.7", "Forwarded", "for=203.0.113.7", "X-Real-IP", "203.0.113.7")
		for name, x := range extractors {
			if got := run(t, x, r); got != fail(ErrNoPeer) {
				t.Errorf("%s on %q: %+v", name, remote, got)
			}
		}
		_, err := RemoteAddr().ClientIP(r)
		if !strings.Contains(err.Error(), "names no client") {
			t.Errorf("message %q", err)
		}
	}
}

// http.Server over ProxyListener over loopback: handlers see the PROXY
// source through ipsource.RemoteAddr, and the header's TLVs through the
// request context; a LOCAL connection's requests have no client address.
func TestProxyHTTP(t *testing.T) {
	base, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ln, err := ProxyListener(base, pfx("127.0.0.0/8"))
	if err != nil {
		t.Fatal(err)
	}
	xff := must(XForwardedFor(pfx("127.0.0.0/8")))
	srv := &http.Server{
		ConnContext:       ProxyConnContext,
		ReadHeaderTimeout: 5 * time.Second,
		Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			a, err := RemoteAddr().ClientIP(r)
			b, errX := xff.ClientIP(r)
			h, ok := ProxyHeaderFromContext(r.Context())
			id, _ := h.AzureLinkID()
			fmt.Fprintf(w, "%v %v|%v %v|%v %d %d", a, kindName(err), b, kindName(errX), ok, h.Version(), id)
		}),
	}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })

	get := func(header []byte) string {
		t.Helper()
		c, err := net.Dial("tcp", base.Addr().String())
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		c.Write(append(header, "GET / HTTP/1.1\r\nHost: x\r\nX-Forwarded-For: 198.51.100.1\r\nConnection: close\r\n\r\n"...))
		resp, err := http.ReadResponse(bufio.NewReader(c), nil)
		if err != nil {
			return "no response: " + err.Error()
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		return string(body)
	}
	for _, tt := range []struct {
		name   string
		header []byte
		want   string
	}{
		{"v1", []byte("PROXY TCP4 203.0.113.7 127.0.0.1 50123 80\r\n"), "203.0.113.7 |203.0.113.7 |true 1 0"},
		{"v2 azure", v2(0x21, 0x21, block("[2001:db8::7]:1", "[::1]:80"), azureLinkID(42)), "2001:db8::7 |2001:db8::7 |true 2 42"},
		{"v2 local", v2(0x20, 0x00, nil), "invalid IP no usable peer address|invalid IP no usable peer address|true 2 0"},
		{"v1 unknown", []byte("PROXY UNKNOWN\r\n"), "invalid IP no usable peer address|invalid IP no usable peer address|true 1 0"},
		{"no header", nil, "no response: "},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if got := get(tt.header); !strings.HasPrefix(got, tt.want) {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}
