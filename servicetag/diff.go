package servicetag

import (
	"github.com/ipallow/ipallow/internal/ipx"
	"net/netip"
	"slices"
	"strings"
)

// Change is the difference between two documents, as returned by [Diff].
// Like allowlist.Change it speaks of what was gained and lost.
type Change struct {
	// Gained and Lost list the names of tags present in only the new or
	// only the old document, sorted.
	Gained, Lost []string
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
func (d Change) IsEmpty() bool {
	return len(d.Gained) == 0 && len(d.Lost) == 0 && len(d.Changed) == 0
}

// Diff reports the tags gained, lost and changed from old to new.
// Tags are matched by name ignoring case. Addresses are compared as sets,
// never as prefix strings, so a tag whose prefixes were merged or split
// without changing its addresses has no Gained or Lost ranges. A nil
// Document counts as one without tags.
func Diff(old, new *Document) Change {
	var diff Change
	if old == nil {
		old = &Document{}
	}
	if new == nil {
		new = &Document{}
	}
	oldIndex, newIndex := old.lookupIndex(), new.lookupIndex()
	for _, t := range old.Tags {
		if _, ok := newIndex[strings.ToLower(t.Name)]; !ok {
			diff.Lost = append(diff.Lost, t.Name)
		}
	}
	for _, nt := range new.Tags {
		i, ok := oldIndex[strings.ToLower(nt.Name)]
		if !ok {
			diff.Gained = append(diff.Gained, nt.Name)
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
	slices.Sort(diff.Gained)
	slices.Sort(diff.Lost)
	slices.SortFunc(diff.Changed, func(a, b TagChange) int { return strings.Compare(a.Name, b.Name) })
	return diff
}
