package ipsource

import (
	"errors"
	"net/netip"
	"strconv"
	"strings"
)

// Kinds of request-time errors. An [Error] wraps exactly one of them, so
// callers test the kind with [errors.Is]:
//
//	if errors.Is(err, ipsource.ErrHeaderMissing) { ... }
//
// Every kind means the same thing to an allowlist: the client address is
// unknown, and the request must be denied.
var (
	// ErrNoPeer means r.RemoteAddr is not a usable TCP peer: empty, a unix
	// socket ("@" or a path), an address without a port, an IPv4 address in
	// brackets, the unspecified address, or text that is not ip:port.
	ErrNoPeer = errors.New("no usable peer address")

	// ErrHeaderMissing means a trusted proxy sent the request without the
	// configured header.
	ErrHeaderMissing = errors.New("header missing")

	// ErrHeaderRepeated means a single-IP header arrived on more than one
	// field line, or holds more than one value.
	ErrHeaderRepeated = errors.New("header repeated")

	// ErrMalformed means the entry at the decision point is not an address in
	// the accepted grammar (or is empty), or, for Forwarded, that the field
	// has a syntax error.
	ErrMalformed = errors.New("malformed entry")

	// ErrNoUntrustedHop means the chain ran out before it named a client:
	// every entry is a trusted proxy, or (count strategies) the header has
	// fewer entries than the configured hops.
	ErrNoUntrustedHop = errors.New("no untrusted hop")

	// ErrTooManyHops means MaxHops trusted entries were walked without
	// reaching an untrusted one.
	ErrTooManyHops = errors.New("too many trusted hops")

	// ErrCompanion means a header demanded by [RequireHeader] is missing,
	// repeated, or does not hold the required value.
	ErrCompanion = errors.New("companion header mismatch")
)

// Kinds of [ProxyError], the reason [ProxyListener] closed a connection.
var (
	// ErrProxyMissing means a peer inside the trusted prefixes did not begin
	// the connection with a PROXY header: it sent other bytes, closed the
	// connection, or sent nothing before the header deadline.
	ErrProxyMissing = errors.New("PROXY header missing")

	// ErrProxyMalformed means a trusted peer's PROXY header is malformed,
	// inconsistent, longer than the limit, or cut off.
	ErrProxyMalformed = errors.New("malformed PROXY header")

	// ErrProxyUntrusted means a peer outside the trusted prefixes began the
	// connection with a PROXY header.
	ErrProxyUntrusted = errors.New("PROXY header from an untrusted peer")
)

// ErrInvalidConfig is wrapped by every error that a constructor returns.
var ErrInvalidConfig = errors.New("invalid configuration")

// MaxHops is the largest number of entries that a list-header strategy
// examines per request, and the largest hop count that the count strategies
// accept. It keeps the cost of a request independent of the header's size.
const MaxHops = 32

// maxEntryLen bounds the bytes of one list element, optional whitespace
// included. The longest valid entry,
// "[1111:2222:3333:4444:5555:6666:255.255.255.255]:65535", has 53 bytes.
const maxEntryLen = 128

// maxEntryText bounds the entry text kept in an Error.
const maxEntryText = 64

// Error describes why a request has no client address. It wraps one of the
// kinds above (ErrNoPeer, ErrHeaderMissing, ...), which [errors.Is] finds.
//
// The message is built only when Error is called, so an Error costs one
// small allocation.
type Error struct {
	// Kind is one of the Err* kinds of this package.
	Kind error
	// Header is the canonical name of the header at fault, or "" when the
	// error is about the TCP peer.
	Header string
	// Entry is the offending text (r.RemoteAddr, an entry, a header value),
	// cut to at most 64 bytes. It may hold any bytes; quote it when logging.
	Entry string
	// Pos is the position of the offending entry, counted from the right
	// across all field lines: 1 is the last entry of the last line. It is 0
	// when the error is not about one entry.
	Pos int
	// Reason says what is wrong, in a few words.
	Reason string
}

// Error returns a message that names the input, where it is, and how to fix
// the request or the configuration.
func (e *Error) Error() string {
	var b strings.Builder
	writeKind(&b, e.Kind, "no client address")
	switch {
	case e.Header == "":
		b.WriteString(": RemoteAddr ")
		b.WriteString(strconv.Quote(e.Entry))
	case e.Pos > 0:
		b.WriteString(": ")
		b.WriteString(e.Header)
		b.WriteString(" entry ")
		b.WriteString(strconv.Itoa(e.Pos))
		b.WriteString(" from the right ")
		b.WriteString(strconv.Quote(e.Entry))
	default:
		b.WriteString(": ")
		b.WriteString(e.Header)
		if e.Entry != "" {
			b.WriteString(" ")
			b.WriteString(strconv.Quote(e.Entry))
		}
	}
	h := hint(e.Kind)
	if e.Kind == ErrNoPeer && e.Header == "" && strings.HasPrefix(e.Entry, proxyNoAddrPrefix) {
		h = "the load balancer's own connections, such as health checks, carry no client address; serve their paths outside the allowlist"
	}
	writeTail(&b, e.Reason, h)
	return b.String()
}

// writeKind begins a message: the package and the kind, or fallback.
func writeKind(b *strings.Builder, kind error, fallback string) {
	b.WriteString("ipsource: ")
	if kind != nil {
		b.WriteString(kind.Error())
	} else {
		b.WriteString(fallback)
	}
}

// writeTail ends a message with the reason and the hint, if any.
func writeTail(b *strings.Builder, reason, hint string) {
	if reason != "" {
		b.WriteString(": ")
		b.WriteString(reason)
	}
	if hint != "" {
		b.WriteString(" (")
		b.WriteString(hint)
		b.WriteString(")")
	}
}

// Unwrap returns e.Kind.
func (e *Error) Unwrap() error { return e.Kind }

// ProxyError says why [ProxyListener] closed a connection without serving
// it. It is what the connection's Read and Write return, and what the hook
// of [WithProxyHook] receives.
//
// It wraps its Kind and, if set, Err, so [errors.Is] finds both: a peer
// that opened the port and closed it without sending a byte (a TCP health
// check) matches [io.EOF], and one that sent too little before the
// deadline matches [os.ErrDeadlineExceeded].
type ProxyError struct {
	// Kind is ErrProxyMissing, ErrProxyMalformed or ErrProxyUntrusted.
	Kind error
	// Peer is the TCP peer: the load balancer, or, for ErrProxyUntrusted,
	// the peer that sent the header. It is the zero AddrPort if the peer
	// has no IP address.
	Peer netip.AddrPort
	// Reason says what is wrong and where, in a few words. Input that it
	// quotes is cut to 64 bytes.
	Reason string
	// Err is the read error that ended the header: io.EOF if the peer
	// closed the connection before sending a byte, io.ErrUnexpectedEOF if
	// it closed it within the header, a timeout, another network error, or
	// nil if the bytes themselves are wrong.
	Err error
}

// Error returns a message that names the peer, what is wrong with its
// header, and how to fix the load balancer or the configuration.
func (e *ProxyError) Error() string {
	var b strings.Builder
	writeKind(&b, e.Kind, "PROXY header refused")
	if e.Peer.IsValid() {
		b.WriteString(": peer ")
		b.WriteString(e.Peer.String())
	} else {
		b.WriteString(": peer without an IP address")
	}
	writeTail(&b, e.Reason, hint(e.Kind))
	return b.String()
}

// Unwrap returns e.Kind and, if it is set, e.Err.
func (e *ProxyError) Unwrap() []error {
	if e.Err == nil {
		return []error{e.Kind}
	}
	return []error{e.Kind, e.Err}
}

func hint(kind error) string {
	switch kind {
	case ErrNoPeer:
		return "the server must see the TCP peer as ip:port; do not let middleware rewrite r.RemoteAddr"
	case ErrHeaderMissing:
		return "the trusted proxy must set this header; check the proxy's configuration and the header name"
	case ErrHeaderRepeated:
		return "a single-IP header must arrive once, holding one address; configure the proxy to overwrite it, not append"
	case ErrMalformed:
		return "the entry must be IPv4, IPv4:port, IPv6, [IPv6] or [IPv6]:port"
	case ErrNoUntrustedHop:
		return "the request came from inside the trusted ranges, or the trusted ranges or hop count are too broad"
	case ErrTooManyHops:
		return "more trusted proxies than MaxHops, or a forwarding loop"
	case ErrCompanion:
		return "requests must arrive through the expected proxy, which sets this header to the configured value"
	case ErrProxyMissing:
		return "peers in the trusted prefixes must begin every connection with a PROXY v1 or v2 header; enable the PROXY protocol on the load balancer, or remove its prefix from the trusted list"
	case ErrProxyMalformed:
		return "the load balancer must send one complete PROXY v1 or v2 header as the protocol specifies it; check its PROXY protocol version and settings"
	case ErrProxyUntrusted:
		return "only peers in the trusted prefixes may send a PROXY header; if this peer is your load balancer, add its prefix to the trusted list"
	}
	return ""
}

// truncate cuts s to at most maxEntryText bytes.
func truncate(s string) string {
	if len(s) > maxEntryText {
		return s[:maxEntryText]
	}
	return s
}

func newError(kind error, header, entry string, pos int, reason string) *Error {
	return &Error{Kind: kind, Header: header, Entry: truncate(entry), Pos: pos, Reason: reason}
}
