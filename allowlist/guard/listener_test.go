package guard

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"net"
	"net/netip"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// hangTimeout bounds waits that only a hang would exceed; it is not a
// timing check.
const hangTimeout = 30 * time.Second

// listenLoopback listens on a loopback port for the test.
func listenLoopback(t *testing.T) net.Listener {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	return ln
}

// dialFrom connects to addr from the loopback source address src, which
// Linux routes on lo for all of 127.0.0.0/8. It skips the test where the
// system cannot bind src.
func dialFrom(t *testing.T, src string, addr net.Addr) net.Conn {
	t.Helper()
	d := net.Dialer{LocalAddr: net.TCPAddrFromAddrPort(netip.AddrPortFrom(netip.MustParseAddr(src), 0)), Timeout: hangTimeout}
	c, err := d.Dial("tcp", addr.String())
	if err != nil {
		if strings.Contains(err.Error(), "assign requested address") || strings.Contains(err.Error(), "can't assign") {
			t.Skipf("cannot dial from %s on this system: %v", src, err)
		}
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// greet serves ln: it writes "hello\n" to every connection that Accept
// returns and closes it. It stops when Accept fails, and reports the error
// on the returned channel.
func greet(ln net.Listener) <-chan error {
	done := make(chan error, 1)
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				done <- err
				return
			}
			io.WriteString(c, "hello\n")
			c.Close()
		}
	}()
	return done
}

// readAll reads c until it ends and returns what it read and how it ended.
func readAll(t *testing.T, c net.Conn) (string, error) {
	t.Helper()
	c.SetReadDeadline(time.Now().Add(hangTimeout))
	var b strings.Builder
	_, err := io.Copy(&b, c)
	if errors.Is(err, netTimeout) {
		t.Fatal("the connection was neither served nor closed")
	}
	return b.String(), err
}

// netTimeout matches a deadline error with errors.Is.
var netTimeout = errTimeout{}

type errTimeout struct{}

func (errTimeout) Error() string { return "timeout" }
func (errTimeout) Is(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}

// refusal is one call of a refused hook.
type refusal struct {
	Peer   netip.AddrPort
	Reason error
}

// refusals collects the calls of a refused hook.
type refusals struct {
	mu   sync.Mutex
	list []refusal
	c    chan refusal
}

func newRefusals() *refusals { return &refusals{c: make(chan refusal, 1000)} }

func (r *refusals) hook(p netip.AddrPort, reason error) {
	r.mu.Lock()
	r.list = append(r.list, refusal{p, reason})
	r.mu.Unlock()
	r.c <- refusal{p, reason}
}

func (r *refusals) next(t *testing.T) refusal {
	t.Helper()
	select {
	case x := <-r.c:
		return x
	case <-time.After(hangTimeout):
		t.Fatal("no refusal reported")
	}
	return refusal{}
}

func (r *refusals) count() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.list)
}

var refusalCmp = cmp.Options{
	netipCmp,
	cmp.Comparer(func(a, b netip.AddrPort) bool { return a == b }),
	cmp.Comparer(func(a, b error) bool { return errors.Is(a, b) || errors.Is(b, a) }),
}

// localAddrPort is the address and port that c is bound to.
func localAddrPort(c net.Conn) netip.AddrPort {
	return c.LocalAddr().(*net.TCPAddr).AddrPort()
}

// TestListener serves real loopback connections from two source addresses:
// the listed one is served, the other is closed with nothing written, and
// a swap of the Holder decides the next connection.
func TestListener(t *testing.T) {
	h := NewHolder(mustSet(t, "127.0.0.2/32"))
	rs := newRefusals()
	ln := Listener(listenLoopback(t), h, WithRefusedHook(rs.hook))
	defer ln.Close()
	greet(ln)

	expect := func(src, want string) {
		t.Helper()
		c := dialFrom(t, src, ln.Addr())
		got, err := readAll(t, c)
		if want != "" {
			if got != want || err != nil {
				t.Errorf("from %s: read %q, %v; want %q", src, got, err, want)
			}
			return
		}
		if got != "" {
			t.Errorf("from %s: refused, but read %q", src, got)
		}
		if diff := cmp.Diff(refusal{localAddrPort(c), ErrPeerNotListed}, rs.next(t), refusalCmp); diff != "" {
			t.Errorf("from %s: refusal (-want +got):\n%s", src, diff)
		}
	}
	expect("127.0.0.2", "hello\n")
	expect("127.0.0.3", "")
	h.Store(mustSet(t, "127.0.0.3/32"))
	expect("127.0.0.2", "")
	expect("127.0.0.3", "hello\n")
}

// TestListenerFailsClosed checks that a nil Holder and a Holder without a
// Set refuse every connection.
func TestListenerFailsClosed(t *testing.T) {
	for name, h := range map[string]*Holder{"nil": nil, "empty": new(Holder)} {
		t.Run(name, func(t *testing.T) {
			rs := newRefusals()
			ln := Listener(listenLoopback(t), h, WithRefusedHook(rs.hook))
			defer ln.Close()
			greet(ln)
			c := dialFrom(t, "127.0.0.1", ln.Addr())
			if got, _ := readAll(t, c); got != "" {
				t.Errorf("read %q from a listener without a set", got)
			}
			if diff := cmp.Diff(refusal{localAddrPort(c), ErrNoSet}, rs.next(t), refusalCmp); diff != "" {
				t.Errorf("refusal (-want +got):\n%s", diff)
			}
		})
	}
}

// headerListener stands for a PROXY protocol listener: the RemoteAddr of
// its connections reads a first line from the peer, the client's address
// and port or "LOCAL", and waits for it until the connection is closed or
// its deadline passes.
type headerListener struct {
	net.Listener
	waiting chan struct{} // a RemoteAddr started waiting
}

func (l *headerListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	return &headerConn{Conn: c, waiting: l.waiting}, nil
}

type headerConn struct {
	net.Conn
	waiting chan struct{}
	once    sync.Once
	addr    net.Addr
}

// localAddr is the address of a PROXY protocol LOCAL connection, which is
// not an IP address.
type localAddr struct{}

func (localAddr) Network() string { return "proxy" }
func (localAddr) String() string  { return "LOCAL" }

func (c *headerConn) RemoteAddr() net.Addr {
	c.once.Do(func() {
		c.waiting <- struct{}{}
		c.Conn.SetReadDeadline(time.Now().Add(time.Hour))
		line, err := bufio.NewReader(c.Conn).ReadString('\n')
		c.Conn.SetReadDeadline(time.Time{})
		switch line = strings.TrimSuffix(line, "\n"); {
		case err != nil:
			c.addr = c.Conn.RemoteAddr() // as go-proxyproto: the TCP peer
		case line == "LOCAL":
			c.addr = localAddr{}
		default:
			c.addr = net.TCPAddrFromAddrPort(netip.MustParseAddrPort(line))
		}
	})
	return c.addr
}

// TestListenerSilentPeers stacks Listener on a listener whose RemoteAddr
// waits for a header, opens 100 connections that send none, and checks
// that an allowed connection is still accepted while they wait; Close then
// closes them, and Accept returns net.ErrClosed.
func TestListenerSilentPeers(t *testing.T) {
	const silent = 100
	inner := &headerListener{Listener: listenLoopback(t), waiting: make(chan struct{}, silent+10)}
	rs := newRefusals()
	ln := Listener(inner, NewHolder(mustSet(t, "198.51.100.0/24")), WithRefusedHook(rs.hook), WithCheckTimeout(time.Hour))
	accepted := make(chan net.Conn)
	acceptErr := make(chan error, 1)
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				acceptErr <- err
				return
			}
			accepted <- c
		}
	}()

	var quiet []net.Conn
	for range silent {
		quiet = append(quiet, dialFrom(t, "127.0.0.1", ln.Addr()))
	}
	for i := range silent {
		select {
		case <-inner.waiting:
		case <-time.After(hangTimeout):
			t.Fatalf("only %d of %d silent connections are being checked", i, silent)
		}
	}

	local := dialFrom(t, "127.0.0.1", ln.Addr())
	io.WriteString(local, "LOCAL\n")
	if r := rs.next(t); !errors.Is(r.Reason, ErrNoPeerAddr) || r.Peer.IsValid() || !strings.Contains(r.Reason.Error(), `"LOCAL"`) {
		t.Errorf("LOCAL connection: refusal %+v, want ErrNoPeerAddr naming LOCAL", r)
	}
	if got, _ := readAll(t, local); got != "" {
		t.Errorf("LOCAL connection read %q", got)
	}

	c := dialFrom(t, "127.0.0.1", ln.Addr())
	io.WriteString(c, "198.51.100.7:4242\n")
	select {
	case s := <-accepted:
		if got := s.RemoteAddr().String(); got != "198.51.100.7:4242" {
			t.Errorf("accepted the connection of %s", got)
		}
		s.Close()
	case <-time.After(hangTimeout):
		t.Fatal("the allowed connection waited behind the silent ones")
	}
	if n := rs.count(); n != 1 {
		t.Errorf("%d refusals, want only the LOCAL one", n)
	}

	if err := ln.Close(); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-acceptErr:
		if !errors.Is(err, net.ErrClosed) {
			t.Errorf("Accept after Close = %v, want net.ErrClosed", err)
		}
	case <-time.After(hangTimeout):
		t.Fatal("Accept did not return after Close")
	}
	for i, q := range quiet {
		if got, _ := readAll(t, q); got != "" {
			t.Fatalf("silent connection %d read %q", i, got)
		}
	}
	if n := rs.count(); n != 1 {
		t.Errorf("%d refusals, want Close not to count as refusing", n)
	}
	if _, err := ln.Accept(); !errors.Is(err, net.ErrClosed) {
		t.Errorf("a later Accept = %v, want net.ErrClosed", err)
	}
}

// TestListenerCheckTimeout checks that a peer whose address is not known in
// time is refused, by closing its connection.
func TestListenerCheckTimeout(t *testing.T) {
	inner := &headerListener{Listener: listenLoopback(t), waiting: make(chan struct{}, 1)}
	rs := newRefusals()
	ln := Listener(inner, NewHolder(mustSet(t, "0.0.0.0/0")), WithRefusedHook(rs.hook), WithCheckTimeout(time.Millisecond))
	defer ln.Close()
	go ln.Accept()
	c := dialFrom(t, "127.0.0.1", ln.Addr())
	if r := rs.next(t); !errors.Is(r.Reason, ErrPeerTimeout) || r.Peer.IsValid() {
		t.Errorf("refusal %+v, want ErrPeerTimeout without a peer", r)
	}
	if got, _ := readAll(t, c); got != "" {
		t.Errorf("read %q", got)
	}
}

// TestListenerClosePending checks that Close closes an allowed connection
// that Accept did not take.
func TestListenerClosePending(t *testing.T) {
	ln := Listener(listenLoopback(t), NewHolder(mustSet(t, "127.0.0.0/8")))
	first := make(chan net.Conn)
	go func() {
		c, _ := ln.Accept()
		first <- c
	}()
	dialFrom(t, "127.0.0.1", ln.Addr())
	(<-first).Close()
	c := dialFrom(t, "127.0.0.1", ln.Addr()) // checked, never accepted
	ln.Close()
	if got, _ := readAll(t, c); got != "" {
		t.Errorf("read %q", got)
	}
}

// fakeListener returns its results in order, then blocks until closed.
type fakeListener struct {
	results []any // net.Conn or error
	closed  chan struct{}
	once    sync.Once
}

func (l *fakeListener) Accept() (net.Conn, error) {
	if len(l.results) == 0 {
		<-l.closed
		return nil, net.ErrClosed
	}
	r := l.results[0]
	l.results = l.results[1:]
	if err, ok := r.(error); ok {
		return nil, err
	}
	return r.(net.Conn), nil
}

func (l *fakeListener) Close() error   { l.once.Do(func() { close(l.closed) }); return nil }
func (l *fakeListener) Addr() net.Addr { return &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1)} }

// tempError is the error of an accept(2) that ran out of descriptors.
type tempError struct{}

func (tempError) Error() string { return "accept: too many open files" }
func (tempError) Unwrap() error { return syscall.EMFILE }

// peerConn is one end of a pipe with the remote address addr.
type peerConn struct {
	net.Conn
	addr net.Addr
}

func (c peerConn) RemoteAddr() net.Addr { return c.addr }

func pipeFrom(t *testing.T, addr net.Addr) net.Conn {
	a, b := net.Pipe()
	t.Cleanup(func() { a.Close(); b.Close() })
	return peerConn{a, addr}
}

// TestListenerAcceptErrors checks that temporary errors of the wrapped
// listener are retried and a permanent one is returned after the
// connections accepted before it.
func TestListenerAcceptErrors(t *testing.T) {
	permanent := errors.New("permanent")
	ok := pipeFrom(t, &net.TCPAddr{IP: net.ParseIP("::ffff:192.0.2.1"), Port: 1})
	refused := pipeFrom(t, &net.TCPAddr{IP: net.ParseIP("198.51.100.1"), Port: 1})
	inner := &fakeListener{closed: make(chan struct{}),
		results: []any{tempError{}, tempError{}, refused, tempError{}, ok, permanent}}
	rs := newRefusals()
	ln := Listener(inner, NewHolder(mustSet(t, "192.0.2.0/24")), WithRefusedHook(rs.hook))
	defer ln.Close()
	c, err := ln.Accept()
	if err != nil || c != ok {
		t.Fatalf("Accept = %v, %v; want the allowed connection", c, err)
	}
	if _, err := ln.Accept(); err != permanent {
		t.Fatalf("Accept = %v, want the permanent error", err)
	}
	if _, err := ln.Accept(); err != permanent {
		t.Fatalf("Accept again = %v, want the permanent error", err)
	}
	want := refusal{netip.MustParseAddrPort("198.51.100.1:1"), ErrPeerNotListed}
	if diff := cmp.Diff(want, rs.next(t), refusalCmp); diff != "" {
		t.Errorf("refusal (-want +got):\n%s", diff)
	}
}

type stringAddr string

func (stringAddr) Network() string  { return "test" }
func (a stringAddr) String() string { return string(a) }

func TestPeerAddrPort(t *testing.T) {
	var nilTCP *net.TCPAddr
	for _, tt := range []struct {
		in   net.Addr
		want string // "" for ErrNoPeerAddr
	}{
		{&net.TCPAddr{IP: net.ParseIP("192.0.2.1"), Port: 80}, "192.0.2.1:80"},
		{&net.TCPAddr{IP: net.ParseIP("::ffff:192.0.2.1"), Port: 80}, "192.0.2.1:80"},
		{&net.TCPAddr{IP: net.ParseIP("fe80::1"), Port: 80, Zone: "eth0"}, "[fe80::1]:80"},
		{&net.TCPAddr{IP: net.ParseIP("2001:db8::1"), Port: 443}, "[2001:db8::1]:443"},
		{stringAddr("[::ffff:198.51.100.1]:9"), "198.51.100.1:9"},
		{stringAddr("203.0.113.1:7"), "203.0.113.1:7"},
		{&net.TCPAddr{IP: net.IPv4zero, Port: 80}, ""},
		{&net.TCPAddr{IP: net.IPv6unspecified, Port: 80}, ""},
		{&net.TCPAddr{}, ""},
		{nilTCP, ""},
		{nil, ""},
		{&net.UnixAddr{Name: "@", Net: "unix"}, ""},
		{stringAddr("LOCAL"), ""},
		{stringAddr("192.0.2.1"), ""},
		{stringAddr(strings.Repeat("x", 1000)), ""},
	} {
		t.Run(fmt.Sprint(tt.in), func(t *testing.T) {
			got, err := peerAddrPort(tt.in)
			if tt.want == "" {
				if !errors.Is(err, ErrNoPeerAddr) || got.IsValid() {
					t.Errorf("= %v, %v; want ErrNoPeerAddr", got, err)
				}
				if err != nil && len(err.Error()) > len(ErrNoPeerAddr.Error())+100 {
					t.Errorf("error of %d bytes", len(err.Error()))
				}
				return
			}
			if err != nil || got.String() != tt.want {
				t.Errorf("= %v, %v; want %s", got, err, tt.want)
			}
		})
	}
}

func TestListenerOptions(t *testing.T) {
	var calls []string
	var cfg listenerConfig
	for _, o := range []ListenerOption{
		{},
		WithRefusedHook(nil),
		WithRefusedHook(func(netip.AddrPort, error) { calls = append(calls, "first") }),
		WithRefusedHook(func(netip.AddrPort, error) { calls = append(calls, "second") }),
		WithCheckTimeout(time.Minute),
		WithCheckTimeout(0),
		WithMaxChecks(7),
		WithMaxChecks(-1),
	} {
		if o.apply != nil {
			o.apply(&cfg)
		}
	}
	cfg.hook(netip.AddrPort{}, ErrNoSet)
	if diff := cmp.Diff([]string{"first", "second"}, calls); diff != "" {
		t.Errorf("hooks (-want +got):\n%s", diff)
	}
	if cfg.timeout != time.Minute || cfg.maxChecks != 7 {
		t.Errorf("timeout %v, max checks %d; want 1m, 7", cfg.timeout, cfg.maxChecks)
	}
}
