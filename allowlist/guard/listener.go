package guard

import (
	"errors"
	"fmt"
	"net"
	"net/netip"
	"sync"
	"syscall"
	"time"
)

// DefaultCheckTimeout is how long a Listener without WithCheckTimeout waits
// for a connection's peer address.
const DefaultCheckTimeout = 10 * time.Second

// DefaultMaxChecks is how many connections a Listener without WithMaxChecks
// checks at once.
const DefaultMaxChecks = 1024

// The reasons a Listener gives its refused hook, beside ErrNoSet. Test for
// them with errors.Is.
var (
	// ErrPeerNotListed: the peer address is not in the Set.
	ErrPeerNotListed = errors.New("guard: the peer address is not in the allowlist; list its range to let it connect")

	// ErrNoPeerAddr: the connection's peer is not an IP address and port,
	// as for a PROXY protocol LOCAL or UNKNOWN connection (a health check
	// of the proxy itself) or a unix socket, so the list cannot decide it.
	ErrNoPeerAddr = errors.New("guard: the connection has no IP peer address, so the allowlist cannot admit it")

	// ErrPeerTimeout: the peer address was not known within the check
	// timeout, as for a peer behind a PROXY protocol listener that sends
	// no header.
	ErrPeerTimeout = errors.New("guard: the peer address was not known within the check timeout; raise it with WithCheckTimeout if honest peers are that slow")
)

// A ListenerOption configures Listener.
type ListenerOption struct {
	apply func(*listenerConfig)
}

type listenerConfig struct {
	hook      func(peer netip.AddrPort, reason error)
	timeout   time.Duration
	maxChecks int
}

// WithRefusedHook makes the listener call hook with every connection it
// refuses, after closing it: peer is the zero AddrPort when the peer address
// is not known, and reason is ErrPeerNotListed, ErrNoSet, or wraps
// ErrNoPeerAddr or ErrPeerTimeout. Hooks given in several options are
// called in order. A hook runs on a checker goroutine, never on the Accept
// path: it must be safe for concurrent use, and a slow hook holds one of the
// listener's check slots (see WithMaxChecks).
func WithRefusedHook(hook func(peer netip.AddrPort, reason error)) ListenerOption {
	return ListenerOption{func(c *listenerConfig) {
		if hook == nil {
			return
		}
		if prev := c.hook; prev != nil {
			c.hook = func(p netip.AddrPort, r error) { prev(p, r); hook(p, r) }
			return
		}
		c.hook = hook
	}}
}

// WithCheckTimeout sets how long the listener waits for a connection's peer
// address (its RemoteAddr, which a PROXY protocol listener underneath
// returns only once it read the header) before it refuses the connection
// with ErrPeerTimeout. Zero or less leaves DefaultCheckTimeout.
func WithCheckTimeout(d time.Duration) ListenerOption {
	return ListenerOption{func(c *listenerConfig) {
		if d > 0 {
			c.timeout = d
		}
	}}
}

// WithMaxChecks sets how many connections the listener checks at once,
// counting those whose peer address it is waiting for and allowed ones
// waiting for Accept. When all are busy, the listener stops accepting from
// the wrapped listener, and new connections wait in the kernel's backlog,
// until a check ends. Zero or less leaves DefaultMaxChecks.
func WithMaxChecks(n int) ListenerOption {
	return ListenerOption{func(c *listenerConfig) {
		if n > 0 {
			c.maxChecks = n
		}
	}}
}

// Listener returns a listener whose Accept returns only the connections of
// ln whose peer address is in the Set that h holds when the connection is
// checked. Every other connection is closed before anything is read from it
// or written to it, reported to the hook of WithRefusedHook, and never
// surfaces as an Accept error. Stack it under a server, as with
// http.Server.Serve or grpc.Server.Serve, to refuse unlisted peers before
// any TLS or HTTP work; Middleware decides requests instead, and is the one
// to use when the client is not the TCP peer (behind a proxy that sets
// X-Forwarded-For).
//
// The peer address is conn.RemoteAddr(), with an IPv4-mapped address
// unmapped and a zone dropped. A peer that is not an IP address and port
// (ErrNoPeerAddr) or an unspecified address is refused. A nil h and a Holder
// without a Set refuse every connection (ErrNoSet). h may be swapped while
// the listener runs; each connection is decided by the one Set it loads.
//
// The checks run off the Accept path: a goroutine accepts from ln and hands
// each connection to a checker goroutine, at most WithMaxChecks of them at
// once, which sends allowed connections on to Accept. So a peer that is slow
// to tell its address, such as one that sends no PROXY protocol header when
// ln is a PROXY protocol listener whose RemoteAddr waits for the header,
// delays nobody else; it is refused after WithCheckTimeout by closing its
// connection, which must make its RemoteAddr return.
//
// Temporary errors of ln's Accept are retried after a pause that grows from
// 5 ms to 1 s, as http.Server does; any other error ends the accepting, and
// Accept returns it once the checks of the connections accepted before it
// have ended and the allowed ones have been returned. Close
// closes ln and every connection not yet returned by Accept; Accept then
// returns an error that matches net.ErrClosed. Addr returns ln.Addr().
//
// Listener panics if ln is nil.
func Listener(ln net.Listener, h *Holder, opts ...ListenerOption) net.Listener {
	if ln == nil {
		panic("guard: Listener called with a nil net.Listener")
	}
	cfg := listenerConfig{timeout: DefaultCheckTimeout, maxChecks: DefaultMaxChecks}
	for _, o := range opts {
		if o.apply != nil {
			o.apply(&cfg)
		}
	}
	return &listener{
		inner:   ln,
		holder:  h,
		cfg:     cfg,
		slots:   make(chan struct{}, cfg.maxChecks),
		ready:   make(chan net.Conn),
		done:    make(chan struct{}),
		failed:  make(chan struct{}),
		pending: make(map[net.Conn]struct{}),
	}
}

// listener is the net.Listener that Listener returns.
type listener struct {
	inner  net.Listener
	holder *Holder
	cfg    listenerConfig

	start sync.Once
	slots chan struct{} // one token per running check
	ready chan net.Conn // allowed connections, to Accept

	done      chan struct{} // closed by Close
	closeOnce sync.Once
	closeErr  error

	checks  sync.WaitGroup // running checks
	failed  chan struct{}  // closed when the accept loop stopped on an error and the checks ended
	failErr error          // that error, written before failed is closed

	mu      sync.Mutex
	pending map[net.Conn]struct{} // accepted, not yet returned by Accept; nil after Close
}

// Accept waits for the next allowed connection and returns it.
func (l *listener) Accept() (net.Conn, error) {
	l.start.Do(func() { go l.acceptLoop() })
	select {
	case c := <-l.ready:
		if !l.untrack(c) { // closed meanwhile
			c.Close()
			return nil, l.closedError()
		}
		return c, nil
	case <-l.done:
		return nil, l.closedError()
	case <-l.failed: // every check has ended: nothing more comes on ready
		return nil, l.failErr
	}
}

// Close closes the wrapped listener and every connection that Accept has
// not returned. It returns the error of closing the wrapped listener.
func (l *listener) Close() error {
	l.closeOnce.Do(func() {
		close(l.done)
		l.closeErr = l.inner.Close()
		l.mu.Lock()
		pending := l.pending
		l.pending = nil
		l.mu.Unlock()
		for c := range pending {
			c.Close()
		}
	})
	return l.closeErr
}

// Addr returns the wrapped listener's address.
func (l *listener) Addr() net.Addr { return l.inner.Addr() }

func (l *listener) closedError() error {
	return &net.OpError{Op: "accept", Net: l.inner.Addr().Network(), Addr: l.inner.Addr(), Err: net.ErrClosed}
}

// track records c as pending; it reports false, and c must be closed, once
// the listener is closed.
func (l *listener) track(c net.Conn) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.pending == nil {
		return false
	}
	l.pending[c] = struct{}{}
	return true
}

// untrack removes c from the pending connections; it reports false if the
// listener was closed, which closes c.
func (l *listener) untrack(c net.Conn) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.pending == nil {
		return false
	}
	delete(l.pending, c)
	return true
}

// acceptLoop accepts from the wrapped listener and starts a check of each
// connection, until the listener is closed or Accept fails for good.
func (l *listener) acceptLoop() {
	var pause time.Duration
	for {
		select {
		case l.slots <- struct{}{}:
		case <-l.done:
			return
		}
		c, err := l.inner.Accept()
		if err != nil {
			<-l.slots
			select {
			case <-l.done:
				return
			default:
			}
			if temporary(err) {
				pause = min(max(2*pause, 5*time.Millisecond), time.Second)
				t := time.NewTimer(pause)
				select {
				case <-t.C:
					continue
				case <-l.done:
					t.Stop()
					return
				}
			}
			l.failErr = err
			l.checks.Wait() // Accept returns the connections in check first
			close(l.failed)
			return
		}
		pause = 0
		if !l.track(c) {
			c.Close()
			<-l.slots
			return
		}
		l.checks.Add(1)
		go l.check(c)
	}
}

// check decides c and sends it to Accept or refuses it.
func (l *listener) check(c net.Conn) {
	defer func() { <-l.slots; l.checks.Done() }()
	peer, err := l.peer(c)
	if err == nil {
		err = l.admit(peer.Addr())
	}
	if err != nil {
		open := l.untrack(c) // false: Close closed c, which is no refusal
		c.Close()
		if open && l.cfg.hook != nil {
			l.cfg.hook(peer, err)
		}
		return
	}
	select {
	case l.ready <- c:
	case <-l.done: // Close closed c
	}
}

// peer returns the peer address of c, waiting for it at most the check
// timeout.
func (l *listener) peer(c net.Conn) (netip.AddrPort, error) {
	// Closing c makes a RemoteAddr that waits for a PROXY header return.
	t := time.AfterFunc(l.cfg.timeout, func() { c.Close() })
	a := c.RemoteAddr()
	if !t.Stop() { // the timer fired: c is closed, or about to be
		return netip.AddrPort{}, fmt.Errorf("%w (%v)", ErrPeerTimeout, l.cfg.timeout)
	}
	return peerAddrPort(a)
}

// admit returns nil if a is in the Set in force, and the refusal otherwise.
func (l *listener) admit(a netip.Addr) error {
	s := l.holder.Load()
	switch {
	case s == nil:
		return ErrNoSet
	case !s.Contains(a):
		return ErrPeerNotListed
	}
	return nil
}

// maxQuotedAddr is how many bytes of a peer address an error quotes.
const maxQuotedAddr = 64

// peerAddrPort returns a as an address and port, unmapped and without a
// zone, or an error wrapping ErrNoPeerAddr.
func peerAddrPort(a net.Addr) (netip.AddrPort, error) {
	var ap netip.AddrPort
	switch a := a.(type) {
	case nil:
		return netip.AddrPort{}, fmt.Errorf("%w (RemoteAddr returned nil)", ErrNoPeerAddr)
	case *net.TCPAddr:
		if a != nil {
			ap = a.AddrPort()
		}
	default:
		ap, _ = netip.ParseAddrPort(a.String())
	}
	if !ap.Addr().IsValid() || ap.Addr().Unmap().IsUnspecified() {
		s := "<nil>"
		if a != nil {
			s = a.String()
		}
		if len(s) > maxQuotedAddr {
			s = s[:maxQuotedAddr] + "..."
		}
		return netip.AddrPort{}, fmt.Errorf("%w (%s %q)", ErrNoPeerAddr, a.Network(), s)
	}
	return netip.AddrPortFrom(ap.Addr().Unmap().WithZone(""), ap.Port()), nil
}

// temporary reports whether an Accept error passes: the process or the
// system ran out of descriptors or memory, or a connection was aborted
// before it was accepted. net.Error's Temporary, which http.Server asks,
// is deprecated for being ill-defined; these are the cases it meant.
func temporary(err error) bool {
	for _, e := range []error{syscall.EMFILE, syscall.ENFILE, syscall.ENOBUFS, syscall.ENOMEM, syscall.ECONNABORTED, syscall.ECONNRESET} {
		if errors.Is(err, e) {
			return true
		}
	}
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}
