package servicetag

import (
	"bytes"
	"net/netip"
	"strings"
)

// tagBuilder collects the tags of a provider feed. Every prefix is stored
// once (plist, in order of first appearance) and every tag holds each of
// its prefixes once, in order of first appearance. The umbrella tag, when
// the feed has one, is tags[0] and holds every prefix.
type tagBuilder struct {
	feed  Feed
	tags  []Tag
	index map[string]int         // lower-case name → index in tags
	ids   map[netip.Prefix]int32 // prefix → index in plist
	plist []netip.Prefix
	rows  []tagRow // (tag, prefix) pairs, tags other than the umbrella
}

type tagRow struct{ tag, id int32 }

// newTagBuilder sizes the builder from the number of '/' in data (every
// prefix has one), capped relative to the input as decoder.presize does.
func newTagBuilder(f Feed, data []byte) *tagBuilder {
	n := min(bytes.Count(data, []byte("/")), len(data)/8) + 1
	b := &tagBuilder{
		feed:  f,
		index: make(map[string]int),
		ids:   make(map[netip.Prefix]int32, n),
		plist: make([]netip.Prefix, 0, n),
	}
	if name := umbrellaTags[f]; name != "" {
		b.tags = append(b.tags, Tag{Name: name})
		b.index[strings.ToLower(name)] = 0
	}
	if f == AWS || f == Oracle {
		b.rows = make([]tagRow, 0, 2*n) // a service (tag) and a regional tag per row
	} else if umbrellaTags[f] == "" {
		b.rows = make([]tagRow, 0, n)
	}
	return b
}

// newTag adds t and returns its index. A name equal ignoring case to an
// earlier tag's is a *DuplicateTagError at byte off.
func (b *tagBuilder) newTag(t Tag, off int) (int32, error) {
	key := strings.ToLower(t.Name)
	if j, dup := b.index[key]; dup {
		return 0, &DuplicateTagError{Name: t.Name, Previous: b.tags[j].Name, Offset: int64(off)}
	}
	b.index[key] = len(b.tags)
	b.tags = append(b.tags, t)
	return int32(len(b.tags) - 1), nil
}

// prefix returns the id of p, adding it (and so to the umbrella tag).
func (b *tagBuilder) prefix(p netip.Prefix) int32 {
	if id, ok := b.ids[p]; ok {
		return id
	}
	id := int32(len(b.plist))
	b.ids[p] = id
	b.plist = append(b.plist, p)
	return id
}

// add puts prefix id into tag.
func (b *tagBuilder) add(tag, id int32) { b.rows = append(b.rows, tagRow{tag, id}) }

// finish sets doc's Tags and index. The rows are grouped by tag with a
// counting sort (stable, so input order is kept), and duplicates within a
// tag are dropped by stamping each prefix with the last tag that took it.
func (b *tagBuilder) finish(doc *Document) {
	start := make([]int32, len(b.tags)+1)
	for _, r := range b.rows {
		start[r.tag+1]++
	}
	for i := 1; i < len(start); i++ {
		start[i] += start[i-1]
	}
	sorted := make([]int32, len(b.rows))
	next := append([]int32(nil), start[:len(b.tags)]...)
	for _, r := range b.rows {
		sorted[next[r.tag]] = r.id
		next[r.tag]++
	}
	stamp := make([]int32, len(b.plist))
	for i := range stamp {
		stamp[i] = -1
	}
	arena := make([]netip.Prefix, 0, len(b.rows))
	for t := range b.tags {
		lo := len(arena)
		for _, id := range sorted[start[t]:start[t+1]] {
			if stamp[id] != int32(t) {
				stamp[id] = int32(t)
				arena = append(arena, b.plist[id])
			}
		}
		if hi := len(arena); hi > lo {
			// The capacity is limited, so appending to one tag's slice
			// never writes into another's.
			b.tags[t].Prefixes = arena[lo:hi:hi]
		}
	}
	if umbrellaTags[b.feed] != "" && len(b.plist) > 0 {
		b.tags[0].Prefixes = b.plist[:len(b.plist):len(b.plist)]
	}
	if b.tags == nil {
		b.tags = []Tag{}
	}
	doc.Tags = b.tags
	doc.setIndex(b.index)
}

const anyFamily = 0

// textList reads a text list of prefixes, one a line, into the umbrella
// tag. family is 4 or 6 to require that family, or anyFamily. label
// ("ips-v4 " or "") starts the position in errors.
func (b *tagBuilder) textList(data []byte, label string, family int) error {
	if len(data) == 0 {
		return &FeedPrefixError{Feed: b.feed, Tag: b.tags[0].Name, Path: label + "line 1", Err: errEmptyList}
	}
	for i, line := 0, 1; i < len(data); line++ {
		off := i
		text := data[i:]
		if j := bytes.IndexByte(text, '\n'); j >= 0 {
			text = text[:j]
			i += j + 1
		} else {
			i = len(data)
		}
		text = bytes.TrimSuffix(text, []byte("\r"))
		err := errEmptyLine
		var p netip.Prefix
		if len(text) > 0 {
			p, err = parsePrefixBounded(text)
			if err == nil {
				err = checkPrefix(p)
			}
			if err == nil {
				err = familyError(p, family)
			}
		}
		if err != nil {
			return &FeedPrefixError{Feed: b.feed, Tag: b.tags[0].Name, Path: label + "line " + itoa(line),
				Value: clip(string(text)), Offset: int64(off), Err: err}
		}
		b.prefix(p)
	}
	return nil
}

// familyError checks that p is of the family (4 or 6) if one is given.
func familyError(p netip.Prefix, family int) error {
	switch {
	case family == 4 && !p.Addr().Is4():
		return errWantIPv4
	case family == 6 && p.Addr().Is4():
		return errWantIPv6
	}
	return nil
}
