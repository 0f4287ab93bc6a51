package ipsource

import (
	"net/http"
	"net/netip"
	"strings"
)

// RemoteAddr returns the Extractor that uses the TCP peer, r.RemoteAddr, as
// the client address. This is what Azure Kubernetes Service's authorized IP
// ranges see, and the right choice whenever no proxy terminates the
// connection in front of the server (directly exposed servers, Azure Load
// Balancer).
//
// The peer is parsed with [netip.ParseAddrPort]; a zone is dropped and an
// IPv4-mapped address is unmapped. An empty RemoteAddr, a unix socket ("@"
// or a path), an address without a port (some middleware rewrote the field),
// an IPv4 address in brackets, the unspecified addresses 0.0.0.0 and ::, a
// connection whose PROXY header names no client (see [ProxyListener]), and
// a request whose TLS handshake has not completed (0-RTT early data, whose
// source address is not verified) are errors of kind [ErrNoPeer].
func RemoteAddr() Extractor { return remoteAddr{} }

type remoteAddr struct{}

// ClientIP returns the TCP peer's address.
func (remoteAddr) ClientIP(r *http.Request) (netip.Addr, error) {
	return peer(r)
}

// peer returns the TCP peer of r, parsed by peerAddr. A request that
// arrived before its TLS handshake completed (TLS 1.3 early data, 0-RTT)
// has no verified peer: over QUIC its source address is not yet validated
// and can be forged, so it is an error of kind ErrNoPeer. net/http's own
// server never serves such a request; this guards servers that do.
func peer(r *http.Request) (netip.Addr, error) {
	if r.TLS != nil && !r.TLS.HandshakeComplete {
		return netip.Addr{}, newError(ErrNoPeer, "", r.RemoteAddr, 0, reasonEarlyData)
	}
	return peerAddr(r.RemoteAddr)
}

// peerAddr parses r.RemoteAddr, which net/http sets to ip:port for a TCP
// peer. It is parsed with netip.ParseAddrPort; a zone is dropped (if it is
// printable ASCII) and an IPv4-mapped address is unmapped. Anything that is
// not ip:port (empty, a unix socket, an address without a port, IPv4 in
// brackets, a PROXY connection that names no client) and the unspecified
// addresses are ErrNoPeer; nothing is repaired.
func peerAddr(s string) (netip.Addr, error) {
	ap, err := netip.ParseAddrPort(s)
	if err != nil {
		return netip.Addr{}, newError(ErrNoPeer, "", s, 0, peerReason(s))
	}
	a := ap.Addr()
	if z := a.Zone(); z != "" {
		// The zone names the interface the peer was reached on; it is
		// dropped, but only if it is plain printable ASCII.
		for i := 0; i < len(z); i++ {
			if z[i] <= ' ' || z[i] >= 0x7f {
				return netip.Addr{}, newError(ErrNoPeer, "", s, 0, "zone holds a byte outside printable ASCII")
			}
		}
		a = a.WithZone("")
	}
	a = a.Unmap()
	if a.IsUnspecified() {
		return netip.Addr{}, newError(ErrNoPeer, "", s, 0, reasonUnspecified)
	}
	return a, nil
}

// peerReason explains why s is not ip:port. It runs only on the error path.
func peerReason(s string) string {
	switch {
	case s == "":
		return "empty"
	case s[0] == '@' || s[0] == '/' || strings.HasPrefix(s, "unix:"):
		return "unix socket"
	case strings.HasPrefix(s, proxyNoAddrPrefix):
		return reasonProxyNoClient
	case s[0] == '[':
		if end := strings.IndexByte(s, ']'); end > 0 {
			if a, err := netip.ParseAddr(s[1:end]); err == nil && a.Is4() {
				return reasonBracketV4
			}
		}
	}
	if _, err := netip.ParseAddr(s); err == nil {
		return "address without a port (did middleware rewrite r.RemoteAddr?)"
	}
	return "not ip:port"
}
