package ipsource

import (
	"net/http"
	"net/netip"
)

// Extractor decides the client address of a request.
//
// ClientIP returns a valid address without a zone, with IPv4-mapped
// addresses unmapped, or an error, which is always an [*Error] whose Kind
// says why no address could be decided. A caller that enforces an allowlist
// must deny the request on error; no Extractor in this package falls back to
// another source.
//
// The Extractors of this package are immutable and safe for concurrent use.
// They read r.RemoteAddr and r.Header only, never modify the request, and
// never read trailers.
type Extractor interface {
	ClientIP(r *http.Request) (netip.Addr, error)
}
