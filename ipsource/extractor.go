// Package ipsource decides which client address a request comes from.
package ipsource

import (
	"net/http"
	"net/netip"
)

// Extractor decides the client address of a request.
type Extractor interface {
	ClientIP(r *http.Request) (netip.Addr, error)
}
