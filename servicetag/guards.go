package servicetag

import (
	"errors"
	"fmt"
	"math"
	"net/netip"
	"strings"
	"time"

	"github.com/ipallow/ipallow/internal/ipx"
	"go4.org/netipx"
)

// DefaultMaxShrink is the share of a family's addresses (IPv4 or IPv6) that
// one reload of a Loader with no MaxShrink may remove before the new
// document is held back.
const DefaultMaxShrink = 0.10

// Errors of the refresh guards. They reach the caller inside a
// *RefreshError; the last good document stays in force.
var (
	// ErrShrink reports a new document that would remove more of the
	// addresses in force than Loader.MaxShrink allows. The error is a
	// *ShrinkError; Loader.Accept applies the document anyway.
	ErrShrink = errors.New("servicetag: new document removes too many addresses")

	// ErrVersionRegression reports a new document whose version (Azure's
	// changeNumber, AWS's and Google's syncToken, a feed's creation time)
	// is older than that of the document in force.
	ErrVersionRegression = errors.New("servicetag: new document is older than the one in force")

	// ErrStale reports that the document in force is older than
	// Loader.MaxAge. It is still in force; the error says the source
	// stopped publishing or the Loader stopped reaching it.
	ErrStale = errors.New("servicetag: document is stale")
)

// ShrinkError reports a new document held back because it removes more of
// a family's addresses than the Loader allows. It matches ErrShrink.
type ShrinkError struct {
	Family     string  // "IPv4" or "IPv6"
	Before     float64 // addresses of the family in the document in force
	Removed    float64 // of those, addresses the new document lacks
	Share      float64 // Removed / Before
	MaxShrink  float64 // the limit in force
	Hash       Hash    // the held-back document; pass it to Loader.Accept to apply it
	LostRanges int     // minimal prefixes of the removed addresses
}

// Error implements the error interface.
func (e *ShrinkError) Error() string {
	return fmt.Sprintf("servicetag: the new document (content %s) removes %s of %s %s addresses (%.1f%%, in %d ranges), more than the %.1f%% allowed; it is held back and the last good document stays; call Loader.Accept with its hash to apply it",
		e.Hash.String()[:12], count(e.Removed), count(e.Before), e.Family, 100*e.Share, e.LostRanges, 100*e.MaxShrink)
}

// Is reports whether target is ErrShrink.
func (e *ShrinkError) Is(target error) bool { return target == ErrShrink }

// count prints an address count: in full up to 2^50, as a power of two
// beyond (IPv6 counts).
func count(n float64) string {
	if n < 1<<50 {
		return fmt.Sprintf("%.0f", n)
	}
	return fmt.Sprintf("2^%.1f", math.Log2(n))
}

// allAddresses is the union of every tag's prefixes.
func allAddresses(d *Document) *netipx.IPSet {
	var b netipx.IPSetBuilder
	if d != nil {
		for _, t := range d.Tags {
			for _, p := range t.Prefixes {
				b.AddPrefix(p)
			}
		}
	}
	s, _ := b.IPSet()
	return s
}

// size counts the addresses of the prefixes of one family, as a float64
// (exact up to 2^53, and IPv6 sizes are powers of two, so the share is
// exact enough to compare with a limit).
func size(ps []netip.Prefix, is4 bool) float64 {
	var n float64
	for _, p := range ps {
		if p.Addr().Is4() == is4 {
			n += math.Ldexp(1, p.Addr().BitLen()-p.Bits())
		}
	}
	return n
}

// checkShrink returns a *ShrinkError when next removes more than max of a
// family's addresses of cur.
func checkShrink(cur, next *Document, nextHash Hash, max float64) error {
	if cur == nil || max < 0 {
		return nil
	}
	before, after := allAddresses(cur), allAddresses(next)
	lost := ipx.Minus(before, after)
	if lost == nil {
		return nil
	}
	bp := before.Prefixes()
	for _, is4 := range []bool{true, false} {
		total := size(bp, is4)
		removed := size(lost, is4)
		if total == 0 || removed/total <= max {
			continue
		}
		fam := "IPv6"
		if is4 {
			fam = "IPv4"
		}
		n := 0
		for _, p := range lost {
			if p.Addr().Is4() == is4 {
				n++
			}
		}
		return &ShrinkError{Family: fam, Before: total, Removed: removed, Share: removed / total, MaxShrink: max, Hash: nextHash, LostRanges: n}
	}
	return nil
}

// checkVersion returns an error matching ErrVersionRegression when next
// says it is older than cur.
func checkVersion(cur, next *Document) error {
	if cur == nil {
		return nil
	}
	const hint = "a mirror or cache may be serving an old copy, or change notifications arrived out of order"
	switch {
	case next.ChangeNumber < cur.ChangeNumber:
		return fmt.Errorf("%w: changeNumber %d after %d; %s", ErrVersionRegression, next.ChangeNumber, cur.ChangeNumber, hint)
	case tokenLess(next.SyncToken, cur.SyncToken):
		return fmt.Errorf("%w: syncToken %s after %s; %s", ErrVersionRegression, next.SyncToken, cur.SyncToken, hint)
	case !next.Created.IsZero() && !cur.Created.IsZero() && next.Created.Before(cur.Created):
		return fmt.Errorf("%w: created %s after %s; %s", ErrVersionRegression,
			next.Created.UTC().Format(time.RFC3339), cur.Created.UTC().Format(time.RFC3339), hint)
	}
	return nil
}

// tokenLess reports whether the decimal sync token a is smaller than b.
// Tokens that are not both decimal are not compared.
func tokenLess(a, b string) bool {
	if a == "" || b == "" || !decimal(a) || !decimal(b) {
		return false
	}
	a, b = strings.TrimLeft(a, "0"), strings.TrimLeft(b, "0")
	if len(a) != len(b) {
		return len(a) < len(b)
	}
	return a < b
}

func decimal(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}
