package main

import (
	"cmp"
	"fmt"
	"math"
	"net/netip"
	"slices"
	"strings"

	"github.com/ipallow/ipallow/allowlist"
	"go4.org/netipx"
)

// fitResult is what -fit did.
type fitResult struct {
	Max            int          `json:"max"`
	EntriesBefore  int          `json:"entriesBefore"`
	EntriesAfter   int          `json:"entriesAfter"`
	List           string       `json:"list"`
	Added          []addedRange `json:"added"`
	AddedAddresses uint64       `json:"addedAddresses"`
}

// addedRange is a range that the fitted list allows and the given one does not.
type addedRange struct {
	Prefix    string `json:"prefix"`
	Addresses uint64 `json:"addresses"`
}

// fitList merges the prefixes of list into at most max entries, less one
// for each service tag, which stays as it is. The fitted list is parsed
// again with pol; its problems, if any, are returned. Errors are usage
// errors.
func fitList(list allowlist.List, max int, pol allowlist.Policy) (allowlist.List, *fitResult, []problem, error) {
	before := len(list.Prefixes) + len(list.ServiceTags)
	res := &fitResult{Max: max, EntriesBefore: before, EntriesAfter: before, List: list.String(), Added: []addedRange{}}
	if list.Mode != allowlist.Restricted {
		return list, res, nil, nil // nothing to fit
	}
	room := max - len(list.ServiceTags)
	if room < 1 && len(list.Prefixes) > 0 {
		return list, nil, nil, fmt.Errorf("-fit %d: the list's %d service tag(s) take all %d entries; give -fit %d or more",
			max, len(list.ServiceTags), max, len(list.ServiceTags)+1)
	}
	var b netipx.IPSetBuilder
	for _, p := range list.Prefixes {
		b.AddPrefix(p)
	}
	s, err := b.IPSet()
	if err != nil {
		return list, nil, nil, err
	}
	fitted, err := allowlist.Fit(s, room)
	if err != nil {
		return list, nil, nil, fmt.Errorf("-fit %d: %s", max, trimPkg(err))
	}
	fitted = inOrder(list.Prefixes, fitted)
	for _, p := range allowlist.FitAdded(s, fitted) {
		n := size(p)
		res.Added = append(res.Added, addedRange{Prefix: p.String(), Addresses: n})
		res.AddedAddresses = addSat(res.AddedAddresses, n)
	}
	entries := make([]string, 0, len(fitted)+len(list.ServiceTags))
	for _, p := range fitted {
		entries = append(entries, p.String())
	}
	entries = append(entries, list.ServiceTags...)
	out, err := allowlist.Parse(strings.Join(entries, ","), pol)
	if err != nil {
		return list, res, problems(err), nil
	}
	res.List = out.String()
	res.EntriesAfter = len(out.Prefixes) + len(out.ServiceTags)
	return out, res, nil, nil
}

// inOrder orders the fitted prefixes by the first entry of the given list
// that each holds, so that the fitted list keeps the order the operator
// chose. Every given prefix lies in exactly one fitted prefix.
func inOrder(given, fitted []netip.Prefix) []netip.Prefix {
	first := make(map[netip.Prefix]int, len(fitted))
	for i, p := range given {
		for _, f := range fitted {
			if _, seen := first[f]; !seen && f.Contains(p.Addr()) {
				first[f] = i
				break
			}
		}
	}
	out := slices.Clone(fitted)
	slices.SortStableFunc(out, func(a, b netip.Prefix) int { return cmp.Compare(first[a], first[b]) })
	return out
}

// size is the number of addresses of p, at most math.MaxUint64.
func size(p netip.Prefix) uint64 {
	host := p.Addr().BitLen() - p.Bits()
	if host >= 64 {
		return math.MaxUint64
	}
	return 1 << host
}

func addSat(a, b uint64) uint64 {
	if a > math.MaxUint64-b {
		return math.MaxUint64
	}
	return a + b
}
