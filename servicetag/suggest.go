package servicetag

import (
	"cmp"
	"slices"
	"strings"
)

// Suggest returns up to n tag names that the caller may have meant by
// name, best first. It is what Lookup puts into an [*UnknownTagError].
//
// Suggestions come, in this order, from:
//
//  1. the same base with the region written another way. The two suffix
//     styles of the files ("AzureCloud.centralfrance" but
//     "Storage.FranceCentral") are linked through the entries' region
//     field, and region words are compared in any order, ignoring case
//     and punctuation, so "AzureCloud.francecentral" suggests
//     "AzureCloud.centralfrance" and "Storage.central-france" suggests
//     "Storage.FranceCentral";
//  2. names within a small edit distance (ignoring case);
//  3. the base tag itself, when the base exists but the region does not.
func (d *Document) Suggest(name string, n int) []string {
	if n <= 0 || d == nil || len(d.Tags) == 0 {
		return nil
	}
	lname := strings.ToLower(name)
	qbase, qsuffix, dotted := strings.Cut(lname, ".")
	var out []string
	add := func(s string) {
		if len(out) < n && !slices.Contains(out, s) {
			out = append(out, s)
		}
	}

	// 1. Region aliases inside the same base.
	if dotted && qsuffix != "" {
		q := regionKey(qsuffix)
		// Regions that the suffix denotes anywhere in the document.
		regions := map[string]bool{}
		for _, t := range d.Tags {
			if !t.IsRegional() {
				continue
			}
			_, sfx, _ := strings.Cut(t.Name, ".")
			if regionKey(sfx) == q || regionKey(t.Region) == q {
				regions[strings.ToLower(t.Region)] = true
			}
		}
		var alias []string
		for _, t := range d.Tags {
			if !t.IsRegional() || strings.ToLower(t.Base()) != qbase {
				continue
			}
			_, sfx, _ := strings.Cut(t.Name, ".")
			if regions[strings.ToLower(t.Region)] || regionKey(sfx) == q {
				alias = append(alias, t.Name)
			}
		}
		slices.Sort(alias)
		for _, s := range alias {
			add(s)
		}
	}

	// 2. Edit distance.
	limit := max(1, len(lname)/4)
	type cand struct {
		name string
		dist int
	}
	var cands []cand
	for _, t := range d.Tags {
		lt := strings.ToLower(t.Name)
		if abs(len(lt)-len(lname)) > limit {
			continue
		}
		if dist := editDistance(lname, lt, limit); dist <= limit {
			cands = append(cands, cand{t.Name, dist})
		}
	}
	slices.SortFunc(cands, func(a, b cand) int {
		return cmp.Or(cmp.Compare(a.dist, b.dist), cmp.Compare(a.name, b.name))
	})
	for _, c := range cands {
		add(c.name)
	}

	// 3. The base tag.
	if dotted {
		if i, ok := d.lookupIndex()[qbase]; ok {
			add(d.Tags[i].Name)
		}
	}
	return out
}

// directions are the region words that appear in either order
// ("francecentral" and "centralfrance"). Longer words first.
var directions = []string{"northeast", "northwest", "southeast", "southwest", "central", "north", "south", "east", "west"}

// regionKey normalises a region spelling: lower case, letters and digits
// only, and direction words at either end moved into a sorted list, so
// that "FranceCentral", "centralfrance" and "france-central" agree.
func regionKey(s string) string {
	var b []byte
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= 'A' && c <= 'Z':
			b = append(b, c+'a'-'A')
		case c >= 'a' && c <= 'z', c >= '0' && c <= '9':
			b = append(b, c)
		}
	}
	rest := string(b)
	var dirs []string
	for changed := true; changed && rest != ""; {
		changed = false
		for _, w := range directions {
			if len(rest) > len(w) && strings.HasPrefix(rest, w) {
				dirs, rest, changed = append(dirs, w), rest[len(w):], true
				break
			}
			if len(rest) > len(w) && strings.HasSuffix(rest, w) {
				dirs, rest, changed = append(dirs, w), rest[:len(rest)-len(w)], true
				break
			}
		}
	}
	slices.Sort(dirs)
	return rest + "|" + strings.Join(dirs, ",")
}

func abs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}

// editDistance returns the optimal-string-alignment distance of a and b
// (insertions, deletions, substitutions and swaps of adjacent bytes), or
// a value above limit as soon as the distance is known to exceed it.
func editDistance(a, b string, limit int) int {
	prev2 := make([]int, len(b)+1)
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		best := cur[0]
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			if i > 1 && j > 1 && a[i-1] == b[j-2] && a[i-2] == b[j-1] {
				cur[j] = min(cur[j], prev2[j-2]+1)
			}
			best = min(best, cur[j])
		}
		if best > limit {
			return limit + 1
		}
		prev2, prev, cur = prev, cur, prev2
	}
	return prev[len(b)]
}
