package servicetag

import (
	"github.com/ipallow/ipallow/internal/ipx"
	"net/netip"
	"slices"
	"strings"
)

// Changes is the difference between two documents, as returned by [Diff].
type Changes struct {
	// Added and Removed list the names of tags present in only the new or
	// only the old document, sorted.
	Added, Removed []string
	// Changed lists the tags present in both whose address set or
	// ChangeNumber differs, sorted by name.
	Changed []TagChange
}

// TagChange describes how one tag changed between two documents.
type TagChange struct {
	Name string // the name in the new document
	// OldChangeNumber and NewChangeNumber are the tag's change numbers.
	OldChangeNumber, NewChangeNumber int
	// Gained and Lost are the address ranges the tag gained and lost, as
	// the minimal list of prefixes (IPv4 first, ascending). Both are
	// empty when only the change number or the way the ranges are split
	// into prefixes changed.
	Gained, Lost []netip.Prefix
}

// IsEmpty reports whether the two documents have the same tags with the
// same addresses and change numbers.
func (d Changes) IsEmpty() bool {
	return len(d.Added) == 0 && len(d.Removed) == 0 && len(d.Changed) == 0
}

// Diff reports the tags added, removed and changed from old to new.
// Tags are matched by name ignoring case. Addresses are compared as sets,
// never as prefix strings, so a tag whose prefixes were merged or split
// without changing its addresses has no Gained or Lost ranges. A nil
// Document counts as one without tags.
func Diff(old, new *Document) Changes {
	var diff Changes
	if old == nil {
		old = &Document{}
	}
	if new == nil {
		new = &Document{}
	}
	oldIndex, newIndex := old.lookupIndex(), new.lookupIndex()
	for _, t := range old.Tags {
		if _, ok := newIndex[strings.ToLower(t.Name)]; !ok {
			diff.Removed = append(diff.Removed, t.Name)
		}
	}
	for _, nt := range new.Tags {
		i, ok := oldIndex[strings.ToLower(nt.Name)]
		if !ok {
			diff.Added = append(diff.Added, nt.Name)
			continue
		}
		ot := old.Tags[i]
		c := TagChange{Name: nt.Name, OldChangeNumber: ot.ChangeNumber, NewChangeNumber: nt.ChangeNumber}
		if !slices.Equal(ot.Prefixes, nt.Prefixes) {
			os, _ := ot.IPSet()
			ns, _ := nt.IPSet()
			c.Gained = ipx.Minus(ns, os)
			c.Lost = ipx.Minus(os, ns)
		}
		if len(c.Gained) > 0 || len(c.Lost) > 0 || c.OldChangeNumber != c.NewChangeNumber {
			diff.Changed = append(diff.Changed, c)
		}
	}
	slices.Sort(diff.Added)
	slices.Sort(diff.Removed)
	slices.SortFunc(diff.Changed, func(a, b TagChange) int { return strings.Compare(a.Name, b.Name) })
	return diff
}
