package ipsource

import (
	"fmt"
	"github.com/ipallow/ipallow/internal/ascii"
	"net/http"
	"net/netip"
	"strings"
)

// HeaderOption configures [Header].
type HeaderOption interface {
	applyHeader(*singleHeader) error
}

// RequireHeader returns a HeaderOption that accepts the address header only
// when the request also carries the header name on exactly one field line
// whose value is exactly value, byte for byte. Otherwise the request fails
// with [ErrCompanion].
//
// Use it where the trusted prefixes are shared with other customers of the
// same proxy service. Azure Front Door's backend ranges (service tag
// AzureFrontDoor.Backend) carry traffic of every Front Door profile, and any
// of them can set X-Azure-SocketIP; only X-Azure-FDID, which Front Door sets
// to the ID of the profile that handled the request, tells yours apart:
//
//	ipsource.Header("X-Azure-SocketIP", afdBackend,
//		ipsource.RequireHeader("X-Azure-FDID", "<your Front Door ID>"))
//
// With Cloudflare, a Transform Rule can add a secret header for the same
// purpose. name must be a valid header name without '_' and differ from
// the address header; value must not be empty or start or end with
// whitespace (net/http trims it), and must not hold control bytes.
func RequireHeader(name, value string) HeaderOption {
	return companion{name: name, value: value}
}

type companion struct {
	name, value string
}

func (c companion) applyHeader(h *singleHeader) error {
	key, err := headerKey(c.name)
	if err != nil {
		return fmt.Errorf("RequireHeader: %w", err)
	}
	switch {
	case key == h.key:
		return fmt.Errorf("RequireHeader: %w: %q is the address header itself; name the header that proves which proxy sent the request", ErrInvalidConfig, c.name)
	case c.value == "":
		return fmt.Errorf("RequireHeader: %w: the value for %s is empty; give the exact value the proxy sets", ErrInvalidConfig, key)
	case ascii.IsSpaceTab(c.value[0]) || ascii.IsSpaceTab(c.value[len(c.value)-1]):
		return fmt.Errorf("RequireHeader: %w: the value for %s starts or ends with whitespace, which net/http removes from requests, so it would never match", ErrInvalidConfig, key)
	}
	for i := 0; i < len(c.value); i++ {
		if b := c.value[i]; b < ' ' && b != '\t' || b == 0x7f {
			return fmt.Errorf("RequireHeader: %w: the value for %s holds control byte %#x", ErrInvalidConfig, key, b)
		}
	}
	for _, prev := range h.companions {
		if prev.name == key {
			return fmt.Errorf("RequireHeader: %w: %s is required twice", ErrInvalidConfig, key)
		}
	}
	h.companions = append(h.companions, companion{name: key, value: c.value})
	return nil
}

// Header returns the Extractor for a proxy that puts the client address in
// a header of its own, holding one address: X-Real-IP (nginx),
// CF-Connecting-IP (Cloudflare), True-Client-IP (Akamai, Cloudflare),
// X-Azure-SocketIP (Azure Front Door), X-Envoy-External-Address (Envoy).
//
// The TCP peer is checked first, as by [XForwardedFor]: a peer outside
// trusted is the client and no header is read. From a trusted peer, every
// header required with [RequireHeader] must match ([ErrCompanion]); then the
// header must be present ([ErrHeaderMissing]) on exactly one field line
// holding exactly one value, without commas ([ErrHeaderRepeated]), in the
// entry grammar of [XForwardedFor] ([ErrMalformed]). The address is
// returned as the proxy wrote it, unmapped; it is not checked against
// trusted. Nothing falls back to the peer or to another header.
//
// name is canonicalised as net/http canonicalises incoming header names, so
// "x-real-ip" and "X-Real-IP" are the same header. A name that is not a
// valid token, or holds '_' (proxies and CGI treat X_Real_IP as an alias of
// X-Real-IP, so clients can smuggle it past a proxy that manages the
// hyphenated header), is rejected. X-Forwarded-For and Forwarded are lists:
// use [XForwardedFor] or [Forwarded]. X-Azure-ClientIP is rejected because
// Front Door derives it from the client's own X-Forwarded-For; use
// X-Azure-SocketIP. Only use a header that the proxy always overwrites:
// Akamai passes a client's True-Client-IP through unless configured not to.
//
// trusted follows the rules of [XForwardedFor]. Errors wrap
// [ErrInvalidConfig].
func Header(name string, trusted []netip.Prefix, opts ...HeaderOption) (Extractor, error) {
	key, err := headerKey(name)
	if err != nil {
		return nil, fmt.Errorf("ipsource.Header: %w", err)
	}
	switch key {
	case xffKey:
		return nil, fmt.Errorf("ipsource.Header: %w: X-Forwarded-For is a list that proxies append to; use XForwardedFor(trusted)", ErrInvalidConfig)
	case fwdKey:
		return nil, fmt.Errorf("ipsource.Header: %w: Forwarded is a list that proxies append to; use Forwarded(trusted)", ErrInvalidConfig)
	case "X-Azure-Clientip":
		return nil, fmt.Errorf("ipsource.Header: %w: Azure Front Door derives X-Azure-ClientIP from the client's X-Forwarded-For, so a client chooses it; use X-Azure-SocketIP with RequireHeader(\"X-Azure-FDID\", id)", ErrInvalidConfig)
	}
	t, err := newTrustSet(trusted)
	if err != nil {
		return nil, fmt.Errorf("ipsource.Header: %w", err)
	}
	h := &singleHeader{key: key, trust: t}
	for i, o := range opts {
		if o == nil {
			return nil, fmt.Errorf("ipsource.Header: %w: option %d is nil", ErrInvalidConfig, i)
		}
		if err := o.applyHeader(h); err != nil {
			return nil, fmt.Errorf("ipsource.Header: %w", err)
		}
	}
	return h, nil
}

// headerKey validates a header name and returns its canonical form.
func headerKey(name string) (string, error) {
	if name == "" {
		return "", fmt.Errorf("%w: the header name is empty", ErrInvalidConfig)
	}
	for i := 0; i < len(name); i++ {
		c := name[i]
		if c == '_' {
			return "", fmt.Errorf("%w: header name %q holds '_'; proxies and CGI treat '_' and '-' alike, so such a header can be smuggled; use the hyphenated name", ErrInvalidConfig, name)
		}
		if !tchar[c] {
			return "", fmt.Errorf("%w: header name %q holds %q at byte %d, which is not allowed in a header name", ErrInvalidConfig, name, c, i)
		}
	}
	return http.CanonicalHeaderKey(name), nil
}

type singleHeader struct {
	key        string
	trust      trustSet
	companions []companion // canonical names
}

// ClientIP returns the address in the configured header.
func (h *singleHeader) ClientIP(r *http.Request) (netip.Addr, error) {
	peer, err := peer(r)
	if err != nil {
		return netip.Addr{}, err
	}
	if !h.trust.contains(peer) {
		return peer, nil
	}
	for _, c := range h.companions {
		switch v := r.Header[c.name]; {
		case len(v) == 0:
			return netip.Addr{}, newError(ErrCompanion, c.name, "", 0, "missing")
		case len(v) > 1:
			return netip.Addr{}, newError(ErrCompanion, c.name, "", 0, "more than one field line")
		case v[0] != c.value:
			return netip.Addr{}, newError(ErrCompanion, c.name, v[0], 0, "value differs from the required one")
		}
	}
	v := r.Header[h.key]
	switch {
	case len(v) == 0:
		return netip.Addr{}, newError(ErrHeaderMissing, h.key, "", 0, "")
	case len(v) > 1:
		return netip.Addr{}, newError(ErrHeaderRepeated, h.key, "", 0, "more than one field line")
	case strings.IndexByte(v[0], ',') >= 0:
		return netip.Addr{}, newError(ErrHeaderRepeated, h.key, v[0], 0, "more than one value")
	}
	a, reason := parseEntry(ascii.TrimSpaceTab(v[0]))
	if reason != "" {
		return netip.Addr{}, newError(ErrMalformed, h.key, v[0], 0, reason)
	}
	return a, nil
}
