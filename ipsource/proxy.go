package ipsource

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/netip"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// defaultProxyHeaderTimeout is how long a trusted peer has to send its
// PROXY header unless WithProxyHeaderTimeout says otherwise.
const defaultProxyHeaderTimeout = 5 * time.Second

// ProxyOption configures [ProxyListener]. The zero ProxyOption changes
// nothing.
type ProxyOption struct {
	apply func(*proxyConfig) error
}

type proxyConfig struct {
	timeout time.Duration
	maxLen  int
	hook    func(netip.AddrPort, error)
}

// WithProxyHeaderTimeout returns a ProxyOption that gives a trusted peer d
// to send its complete PROXY header, counted from the connection's first
// Read, Write or RemoteAddr call. The default is 5 seconds; 0 leaves it.
// A negative d is an error.
func WithProxyHeaderTimeout(d time.Duration) ProxyOption {
	return ProxyOption{func(c *proxyConfig) error {
		switch {
		case d < 0:
			return fmt.Errorf("%w: WithProxyHeaderTimeout(%v): the header timeout must not be negative; use 0 for the default of %v", ErrInvalidConfig, d, defaultProxyHeaderTimeout)
		case d > 0:
			c.timeout = d
		}
		return nil
	}}
}

// WithMaxProxyHeader returns a ProxyOption that limits the length field of
// a PROXY v2 header, the bytes after its 16 fixed bytes (addresses and
// TLVs), to n. The default and largest limit is 4096; the smallest is 36,
// an IPv6 header without TLVs. 0 leaves the default. A v1 line is at most
// 107 bytes whatever the limit.
func WithMaxProxyHeader(n int) ProxyOption {
	return ProxyOption{func(c *proxyConfig) error {
		switch {
		case n == 0:
		case n < minMaxProxyHeader || n > defaultMaxProxyHeader:
			return fmt.Errorf("%w: WithMaxProxyHeader(%d): the limit must be %d to %d bytes (or 0 for %d)", ErrInvalidConfig, n, minMaxProxyHeader, defaultMaxProxyHeader, defaultMaxProxyHeader)
		default:
			c.maxLen = n
		}
		return nil
	}}
}

// WithProxyHook returns a ProxyOption that calls f for every connection that
// the listener closes without serving it, with the TCP peer and a
// [*ProxyError] that says why, so that a server can log them. They never
// appear as Accept errors. f runs on the goroutine whose Read, Write or
// RemoteAddr call found the problem, may run concurrently for different
// connections, and must not block or use the connection. A nil f leaves the
// default, which is no hook.
//
// A load balancer's TCP health check that opens the port and closes it
// again without sending a byte is reported too; errors.Is(err, io.EOF)
// tells it apart.
func WithProxyHook(f func(peer netip.AddrPort, err error)) ProxyOption {
	return ProxyOption{func(c *proxyConfig) error {
		if f != nil {
			c.hook = f
		}
		return nil
	}}
}

// ProxyListener reads the PROXY protocol (v1 and v2) on connections from trusted peers.
//
// It returns a listener whose connections behave by their TCP peer:
//
//   - From a peer inside trusted (the load balancer), the connection must
//     begin with a PROXY header. Its source address, unmapped, becomes the
//     connection's RemoteAddr (a *net.TCPAddr), so [RemoteAddr] and
//     net/http's Request.RemoteAddr see the client. A missing, malformed,
//     inconsistent or incomplete header closes the connection: it is never
//     served as if the load balancer were the client.
//   - From any other peer, a connection that begins with a PROXY header is
//     closed, so that clients who reach the server directly cannot choose
//     their address. Any other connection passes unchanged, with its
//     original RemoteAddr and every byte, so direct clients keep working.
//
// A v2 LOCAL header (the load balancer's own connections, such as health
// checks) or a v1 UNKNOWN line is accepted, but it names no client: the
// connection's RemoteAddr then is a net.Addr whose String is "PROXY LOCAL"
// or "PROXY UNKNOWN", which is not ip:port, so every Extractor of this
// package fails on its requests with [ErrNoPeer]. A health check that only
// opens the port, or sends a LOCAL header and takes any answer, succeeds;
// one that wants a 200 from a path behind the allowlist gets a denial, so
// serve health-check paths outside the allowlist.
//
// Accept never reads: it returns each connection at once, and the header is
// read by the connection's first Read, Write or RemoteAddr call, under a
// deadline of 5 seconds ([WithProxyHeaderTimeout]) that is then lifted
// again (a deadline the server set itself is kept). So RemoteAddr may block
// until the header has arrived or the deadline has passed, and a peer that
// sends nothing stalls only its own connection. From untrusted peers the
// first Read looks at the first bytes without a deadline of its own, and
// RemoteAddr and Write do not wait. Closed connections are reported to
// [WithProxyHook], never as Accept errors; their Read and Write return the
// [*ProxyError].
//
// Headers are parsed strictly, as the PROXY protocol specification
// (HAProxy's proxy-protocol.txt) defines them:
//
//   - v1: "PROXY TCP4 src dst sport dport\r\n" or the same with TCP6, with
//     single spaces, within 107 bytes; addresses of the family the line
//     names (an IPv4-mapped TCP6 address is unmapped), without zones;
//     ports 0-65535 without sign or leading zero. "PROXY UNKNOWN" may be
//     followed by anything up to the CRLF except a CR.
//   - v2: version 2, command LOCAL or PROXY, a length of at most 4096 bytes
//     ([WithMaxProxyHeader]) that holds the family's address block. PROXY
//     requires AF_INET or AF_INET6 over STREAM: the unspecified family, AF_UNIX and DGRAM
//     name no TCP client and are refused, as are undefined family bytes.
//     LOCAL accepts any defined family and ignores its addresses; a block
//     too short for its family is discarded, as the specification asks.
//   - v2 TLVs must tile the rest of the header exactly. A CRC32C TLV must
//     match the header's checksum; UNIQUE_ID holds at most 128 bytes; SSL
//     sub-TLVs must tile the SSL TLV; AWS (0xEA) and Azure (0xEE) TLVs must
//     begin with a subtype, and a VPC endpoint ID (letters, digits and '-')
//     or a 4-byte Azure LINKID may appear only once. Other TLVs are kept
//     uninterpreted; read them with [ProxyHeaderOf].
//
// Only the first header is read: a second one, which an AWS Network Load
// Balancer passes on when the client itself sent one, reaches the
// application as data, where an HTTP server rejects it as a bad request.
//
// The connections' LocalAddr is the listener's own address, not the
// header's destination. Wrap the result with tls.NewListener, not the
// other way round: the header precedes the TLS handshake.
//
// trusted follows the rules of [XForwardedFor]: not empty, valid, canonical,
// not IPv4-mapped, not /0. List only the load balancer's addresses. Errors
// wrap [ErrInvalidConfig].
func ProxyListener(ln net.Listener, trusted []netip.Prefix, opts ...ProxyOption) (net.Listener, error) {
	if ln == nil {
		return nil, fmt.Errorf("ipsource.ProxyListener: %w: the listener is nil", ErrInvalidConfig)
	}
	t, err := newTrustSet(trusted)
	if err != nil {
		return nil, fmt.Errorf("ipsource.ProxyListener: %w", err)
	}
	cfg := proxyConfig{timeout: defaultProxyHeaderTimeout, maxLen: defaultMaxProxyHeader}
	for _, o := range opts {
		if o.apply == nil {
			continue
		}
		if err := o.apply(&cfg); err != nil {
			return nil, fmt.Errorf("ipsource.ProxyListener: %w", err)
		}
	}
	return &proxyListener{Listener: ln, trust: t, cfg: cfg}, nil
}

type proxyListener struct {
	net.Listener
	trust trustSet
	cfg   proxyConfig
}

// Accept returns the next connection at once; its header is read later.
func (l *proxyListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	pc := &proxyConn{Conn: c, cfg: &l.cfg, peer: connPeer(c.RemoteAddr())}
	pc.trusted = pc.peer.IsValid() && l.trust.contains(pc.peer.Addr())
	return pc, nil
}

// connPeer returns the IP peer of a connection, unzoned and unmapped, or
// the zero AddrPort if it has none.
func connPeer(a net.Addr) netip.AddrPort {
	var ap netip.AddrPort
	switch a := a.(type) {
	case nil:
		return ap
	case *net.TCPAddr:
		ap = a.AddrPort()
	default:
		ap, _ = netip.ParseAddrPort(a.String())
	}
	if !ap.IsValid() {
		return netip.AddrPort{}
	}
	return netip.AddrPortFrom(ap.Addr().WithZone("").Unmap(), ap.Port())
}

// proxyNoAddr is the RemoteAddr of a connection whose header names no
// client. Its String is not ip:port, so no Extractor accepts it.
type proxyNoAddr string

const (
	noAddrLocal   proxyNoAddr = "PROXY LOCAL"
	noAddrUnknown proxyNoAddr = "PROXY UNKNOWN"
	noAddrRefused proxyNoAddr = "PROXY refused"
)

// proxyNoAddrPrefix begins the String of every proxyNoAddr.
const proxyNoAddrPrefix = "PROXY "

func (a proxyNoAddr) Network() string { return "proxy" }
func (a proxyNoAddr) String() string  { return string(a) }

// proxyConn is a connection accepted by ProxyListener.
type proxyConn struct {
	net.Conn
	cfg     *proxyConfig
	peer    netip.AddrPort
	trusted bool

	once   sync.Once   // reads a trusted peer's header
	hdr    ProxyHeader // set by once
	remote net.Addr    // set by once

	failed atomic.Pointer[ProxyError] // why the connection was closed
	closed atomic.Bool                // Close was called
	plain  atomic.Bool                // nothing to replay: Read goes to Conn

	mu       sync.Mutex // guards the read deadlines
	userRead time.Time  // the read deadline the server set
	headerBy time.Time  // the header deadline while the header is read

	rmu     sync.Mutex // guards what Read replays, until plain is set
	decided bool       // the first bytes have been classified
	buf     []byte     // bytes read past the header, to replay
	pending error      // the read error that came with buf
	peek    [16]byte   // an untrusted peer's first bytes
	npeek   int
}

// Read returns the bytes after the PROXY header.
func (c *proxyConn) Read(p []byte) (int, error) {
	if c.plain.Load() {
		return c.Conn.Read(p)
	}
	if c.trusted {
		c.once.Do(c.readHeader)
	}
	if e := c.failed.Load(); e != nil {
		return 0, e
	}
	c.rmu.Lock()
	if !c.decided {
		if err := c.peekUntrusted(); err != nil {
			c.rmu.Unlock()
			return 0, err
		}
	}
	if len(c.buf) > 0 {
		n := copy(p, c.buf)
		c.buf = c.buf[n:]
		c.rmu.Unlock()
		return n, nil
	}
	c.buf = nil
	err := c.pending
	c.pending = nil
	c.plain.Store(true)
	c.rmu.Unlock()
	if err != nil {
		return 0, err
	}
	return c.Conn.Read(p)
}

// Write waits for a trusted peer's header, then writes p.
func (c *proxyConn) Write(p []byte) (int, error) {
	if c.trusted {
		c.once.Do(c.readHeader)
	}
	if e := c.failed.Load(); e != nil {
		return 0, e
	}
	return c.Conn.Write(p)
}

// RemoteAddr returns the client's address from a trusted peer's header,
// reading the header first if need be; for other peers, the TCP peer.
func (c *proxyConn) RemoteAddr() net.Addr {
	if !c.trusted {
		return c.Conn.RemoteAddr()
	}
	c.once.Do(c.readHeader)
	return c.remote
}

// Close closes the connection; a header read in progress fails without
// being reported to the hook.
func (c *proxyConn) Close() error {
	c.closed.Store(true)
	return c.Conn.Close()
}

// SetDeadline sets the read and write deadlines, as net.Conn does; while
// the header is being read, the earlier of the header deadline and t
// applies to reads.
func (c *proxyConn) SetDeadline(t time.Time) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.userRead = t
	if err := c.Conn.SetWriteDeadline(t); err != nil {
		return err
	}
	return c.Conn.SetReadDeadline(earlier(t, c.headerBy))
}

// SetReadDeadline sets the read deadline, as net.Conn does; while the
// header is being read, the earlier of the header deadline and t applies.
func (c *proxyConn) SetReadDeadline(t time.Time) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.userRead = t
	return c.Conn.SetReadDeadline(earlier(t, c.headerBy))
}

// earlier returns the earlier of two deadlines, where zero means none.
func earlier(a, b time.Time) time.Time {
	if a.IsZero() || !b.IsZero() && b.Before(a) {
		return b
	}
	return a
}

// readHeader reads and checks a trusted peer's header. It runs once.
func (c *proxyConn) readHeader() {
	c.remote = noAddrRefused
	c.mu.Lock()
	c.headerBy = time.Now().Add(c.cfg.timeout)
	c.Conn.SetReadDeadline(earlier(c.userRead, c.headerBy)) // an error resurfaces in Read
	c.mu.Unlock()
	defer func() {
		c.mu.Lock()
		c.headerBy = time.Time{}
		c.Conn.SetReadDeadline(c.userRead)
		c.mu.Unlock()
	}()

	buf := make([]byte, 0, 256)
	var rerr error
	for idle := 0; ; {
		h, n, need, fault := parseProxyHeader(buf, c.cfg.maxLen)
		switch {
		case fault != nil:
			c.fail(fault)
			return
		case n > 0:
			c.hdr = h
			switch {
			case !h.local:
				c.remote = net.TCPAddrFromAddrPort(h.src)
			case h.version == 1:
				c.remote = noAddrUnknown
			default:
				c.remote = noAddrLocal
			}
			if n < len(buf) {
				c.buf = buf[n:]
			}
			c.pending = rerr
			c.decided = true
			return
		case rerr != nil:
			c.fail(c.readFault(len(buf), rerr))
			return
		}
		if need > cap(buf) {
			buf = append(make([]byte, 0, need), buf...)
		}
		m, err := c.Conn.Read(buf[len(buf):cap(buf)])
		buf = buf[:len(buf)+m]
		rerr = err
		if m == 0 && err == nil {
			if idle++; idle > 100 {
				rerr = io.ErrNoProgress
			}
		}
	}
}

// readFault describes the read error err that ended a trusted peer's
// header after got bytes.
func (c *proxyConn) readFault(got int, err error) *ProxyError {
	c.mu.Lock()
	ownDeadline := c.userRead.IsZero() || !c.userRead.Before(c.headerBy)
	c.mu.Unlock()
	return readFault(got, err, c.cfg.timeout, ownDeadline)
}

// readFault describes the read error err that ended a header after got
// bytes; timeout is the header timeout, and ownDeadline says whether it,
// rather than the server's read deadline, was the one in force.
func readFault(got int, err error, timeout time.Duration, ownDeadline bool) *ProxyError {
	var cause string
	switch {
	case errors.Is(err, io.EOF):
		cause = "the peer closed the connection"
		if got > 0 {
			err = io.ErrUnexpectedEOF
		}
	case errors.Is(err, os.ErrDeadlineExceeded) && ownDeadline:
		cause = fmt.Sprintf("the header timeout of %v passed", timeout)
	case errors.Is(err, os.ErrDeadlineExceeded):
		cause = "the server's read deadline passed"
	default:
		cause = "reading failed: " + truncate(err.Error())
	}
	if got == 0 {
		return &ProxyError{Kind: ErrProxyMissing, Reason: cause + " before any byte arrived", Err: err}
	}
	return &ProxyError{Kind: ErrProxyMalformed, Reason: fmt.Sprintf("the header is incomplete after %d bytes: %s", got, cause), Err: err}
}

// peekUntrusted classifies an untrusted peer's first bytes; rmu is held.
// It refuses a PROXY header, and otherwise leaves the bytes to replay. A
// timeout before the bytes decide is returned, and the next Read resumes.
func (c *proxyConn) peekUntrusted() error {
	var rerr error
	for {
		switch sig := signature(c.peek[:c.npeek]); sig {
		case sigV1, sigV2:
			e := untrustedFault(sig)
			c.decided = true
			c.fail(e)
			return e
		case sigNone:
			c.keep(rerr)
			return nil
		}
		if rerr != nil {
			if ne := net.Error(nil); errors.As(rerr, &ne) && ne.Timeout() {
				return rerr
			}
			// The peer stopped within what might have been a signature:
			// it sent no header.
			c.keep(rerr)
			return nil
		}
		m, err := c.Conn.Read(c.peek[c.npeek:])
		c.npeek += m
		rerr = err
	}
}

// untrustedFault is the error for a PROXY header from an untrusted peer.
func untrustedFault(sig sigMatch) *ProxyError {
	what := "a PROXY v1 line"
	if sig == sigV2 {
		what = "the PROXY v2 signature"
	}
	return &ProxyError{Kind: ErrProxyUntrusted,
		Reason: "the connection begins with " + what + ", but the peer is outside the trusted prefixes"}
}

// keep leaves the peeked bytes and err to be replayed.
func (c *proxyConn) keep(err error) {
	c.decided = true
	c.buf = c.peek[:c.npeek]
	c.pending = err
}

// fail closes the connection and reports e.
func (c *proxyConn) fail(e *ProxyError) {
	e.Peer = c.peer
	c.failed.Store(e)
	c.Conn.Close()
	if c.cfg.hook != nil && !c.closed.Load() {
		c.cfg.hook(c.peer, e)
	}
}

// ProxyHeaderOf returns the PROXY header that [ProxyListener] accepted on c,
// reading it first if need be, and whether there is one. c may be the
// connection itself or one that wraps it and has a NetConn method, such as
// a *tls.Conn. There is no header on a connection from an untrusted peer,
// on one that was closed, and on connections not accepted by ProxyListener.
func ProxyHeaderOf(c net.Conn) (ProxyHeader, bool) {
	pc := unwrapProxyConn(c)
	if pc == nil || !pc.trusted {
		return ProxyHeader{}, false
	}
	pc.once.Do(pc.readHeader)
	if pc.failed.Load() != nil {
		return ProxyHeader{}, false
	}
	return pc.hdr, true
}

// unwrapProxyConn finds the proxyConn under c, if any.
func unwrapProxyConn(c net.Conn) *proxyConn {
	for range 8 {
		switch t := c.(type) {
		case *proxyConn:
			return t
		case interface{ NetConn() net.Conn }:
			c = t.NetConn()
		default:
			return nil
		}
	}
	return nil
}

type proxyConnKey struct{}

// ProxyConnContext returns ctx with c attached, so that handlers can call
// [ProxyHeaderFromContext]. Its signature is that of
// http.Server.ConnContext:
//
//	srv := &http.Server{Handler: h, ConnContext: ipsource.ProxyConnContext}
//
// It does not read from c, so it never delays the server's Accept loop. It
// returns ctx unchanged if c was not accepted by [ProxyListener].
func ProxyConnContext(ctx context.Context, c net.Conn) context.Context {
	if pc := unwrapProxyConn(c); pc != nil {
		return context.WithValue(ctx, proxyConnKey{}, pc)
	}
	return ctx
}

// ProxyHeaderFromContext returns the PROXY header of the connection that
// [ProxyConnContext] attached to ctx, as [ProxyHeaderOf] does. In an HTTP
// handler, pass r.Context(). Use it to allow by private endpoint, with
// [ProxyHeader.AzureLinkID] or [ProxyHeader.AWSVPCEndpointID], as well as
// by address.
func ProxyHeaderFromContext(ctx context.Context) (ProxyHeader, bool) {
	pc, _ := ctx.Value(proxyConnKey{}).(*proxyConn)
	if pc == nil {
		return ProxyHeader{}, false
	}
	return ProxyHeaderOf(pc)
}

// proxyNoClient returns an ErrNoPeer error if the request arrived on a
// connection whose PROXY header names no client (LOCAL or UNKNOWN). The
// count strategies, which do not otherwise read r.RemoteAddr, call it.
func proxyNoClient(remote string) error {
	if strings.HasPrefix(remote, proxyNoAddrPrefix) {
		return newError(ErrNoPeer, "", remote, 0, reasonProxyNoClient)
	}
	return nil
}

const reasonProxyNoClient = "the connection's PROXY header names no client (LOCAL, UNKNOWN or refused)"
