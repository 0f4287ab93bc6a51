package ipsource

import (
	"fmt"
	"github.com/ipallow/ipallow/internal/ascii"
	"net/http"
	"net/netip"
	"strings"
)

const xffKey = "X-Forwarded-For"

// XForwardedFor returns the Extractor for proxies that append the address of
// their peer to X-Forwarded-For, given the prefixes of those proxies.
//
// It decides as follows, and never falls back to another header, to the
// leftmost entry or to the proxy:
//
//  1. The TCP peer is parsed as by [RemoteAddr]. A peer outside trusted is
//     itself the client, and no header is read.
//  2. All X-Forwarded-For field lines are read as one list, in order
//     (r.Header["X-Forwarded-For"]; other spellings such as
//     X_Forwarded_For are different headers and are ignored). A missing
//     header is [ErrHeaderMissing].
//  3. The list is walked from the right. Trusted entries are skipped; the
//     first untrusted entry is the client. An empty or malformed entry met on
//     the way is [ErrMalformed], even if entries further left are valid; a
//     list with no untrusted entry is [ErrNoUntrustedHop]; more than
//     [MaxHops] trusted entries is [ErrTooManyHops].
//
// Entries are IPv4, IPv4:port, a bare IPv6 address, [IPv6] or [IPv6]:port
// (Azure Application Gateway appends ports), with optional spaces and tabs
// around them. Ports are 0-65535 in at most five digits with no sign and no
// leading zero. Zones, IPv4 in brackets, leading zeros in IPv4 octets,
// "unknown", obfuscated identifiers, any other name and non-ASCII bytes are
// malformed. An IPv4-mapped entry (::ffff:a.b.c.d) is unmapped before the
// trust check and before it is returned, so IPv4 trusted prefixes match it;
// NAT64, 6to4 and IPv4-compatible addresses stay IPv6. The unspecified
// addresses are malformed.
//
// Only entries up to the decision point are examined, and each is looked for
// at most 128 bytes to the left of the previous comma, so a request's cost
// does not grow with the size of the header.
//
// trusted must not be empty (with no proxy, use [RemoteAddr]); each prefix
// must be valid and canonical (no host bits), must not be IPv4-mapped
// (write the IPv4 prefix), and must not be /0. Errors wrap
// [ErrInvalidConfig].
func XForwardedFor(trusted []netip.Prefix) (Extractor, error) {
	t, err := newTrustSet(trusted)
	if err != nil {
		return nil, fmt.Errorf("ipsource.XForwardedFor: %w", err)
	}
	return &listHeader{trust: t}, nil
}

// XForwardedForCount returns the Extractor that takes the client from a
// fixed position in X-Forwarded-For: with hops trusted proxies in a row
// that each append their peer's address, the client is entry number hops
// from the right. Every entry up to and including it must be valid; a list
// with fewer entries is [ErrNoUntrustedHop]. hops must be 1 to [MaxHops].
//
// The count strategy does not look at the TCP peer, so it also works behind
// a proxy that connects over a unix socket; only a connection whose PROXY
// header names no client ([ProxyListener]) is refused, with [ErrNoPeer]. That is also its
// weakness, and [XForwardedFor] with prefixes is preferred: if a client can
// reach the server, or any proxy after the first, without passing through
// all hops proxies (a second ingress path, a debugging port forward, a
// removed tier), the entry at position hops is one the client wrote, and
// nothing in the request reveals it. With prefixes such a request is
// answered by its real peer address instead.
func XForwardedForCount(hops int) (Extractor, error) {
	if err := checkHops(hops); err != nil {
		return nil, fmt.Errorf("ipsource.XForwardedForCount: %w", err)
	}
	return &listHeader{hops: hops}, nil
}

func checkHops(hops int) error {
	if hops < 1 || hops > MaxHops {
		return fmt.Errorf("%w: hops is %d; it counts the trusted proxies that append to the header and must be 1 to %d", ErrInvalidConfig, hops, MaxHops)
	}
	return nil
}

// listHeader is the X-Forwarded-For extractor: by prefixes when hops == 0,
// by count otherwise.
type listHeader struct {
	trust trustSet
	hops  int
}

// ClientIP returns the client address that X-Forwarded-For names.
func (x *listHeader) ClientIP(r *http.Request) (netip.Addr, error) {
	if x.hops == 0 {
		peer, err := peer(r)
		if err != nil {
			return netip.Addr{}, err
		}
		if !x.trust.contains(peer) {
			return peer, nil
		}
	} else if err := proxyNoClient(r.RemoteAddr); err != nil {
		return netip.Addr{}, err
	}
	lines := r.Header[xffKey]
	if len(lines) == 0 {
		return netip.Addr{}, newError(ErrHeaderMissing, xffKey, "", 0, "")
	}
	it := backward{lines: lines, line: len(lines) - 1, end: len(lines[len(lines)-1])}
	for {
		elem, tooLong, ok := it.next()
		if !ok {
			if x.hops > 0 {
				return netip.Addr{}, newError(ErrNoUntrustedHop, xffKey, "", 0, "fewer entries than the configured hops")
			}
			return netip.Addr{}, newError(ErrNoUntrustedHop, xffKey, "", 0, "every entry is a trusted proxy")
		}
		if x.hops == 0 && it.pos > MaxHops {
			return netip.Addr{}, newError(ErrTooManyHops, xffKey, elem, it.pos, "")
		}
		if tooLong {
			return netip.Addr{}, newError(ErrMalformed, xffKey, elem, it.pos, reasonTooLong)
		}
		a, reason := parseEntry(elem)
		if reason != "" {
			return netip.Addr{}, newError(ErrMalformed, xffKey, elem, it.pos, reason)
		}
		if x.hops > 0 {
			if it.pos == x.hops {
				return a, nil
			}
		} else if !x.trust.contains(a) {
			return a, nil
		}
	}
}

// backward yields the elements of a comma-separated list header from the
// right, across all of its field lines, without splitting the whole value.
type backward struct {
	lines []string
	line  int // index of the field line being read; -1 when done
	end   int // the unread part of lines[line] is lines[line][:end]
	pos   int // position of the element last returned, 1 = rightmost
}

// next returns the next element to the left, stripped of optional
// whitespace. It looks at most maxEntryLen+1 bytes to the left for the
// separating comma; when there is none, tooLong is set and elem holds the
// bytes looked at. ok is false when the list is exhausted.
func (it *backward) next() (elem string, tooLong, ok bool) {
	if it.line < 0 {
		return "", false, false
	}
	s := it.lines[it.line]
	end := it.end
	lo := max(0, end-maxEntryLen-1)
	it.pos++
	j := strings.LastIndexByte(s[lo:end], ',')
	if j < 0 && lo > 0 {
		it.line = -1 // the walk stops here
		return s[lo:end], true, true
	}
	start := 0
	if j >= 0 {
		start = lo + j + 1
		it.end = start - 1
	} else {
		it.line--
		if it.line >= 0 {
			it.end = len(it.lines[it.line])
		}
	}
	return ascii.TrimSpaceTab(s[start:end]), false, true
}
