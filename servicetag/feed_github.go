package servicetag

import "fmt"

// github decodes the /meta document: every top-level list of CIDR
// prefixes is a tag.
func (d *decoder) github(b *tagBuilder) error {
	var ids []int32 // the current list's prefixes, reused
	keys := map[string]bool{}
	err := d.feedDocument(func(key []byte, off int) error {
		if keys[string(key)] {
			return d.fieldErr(clip(string(key)), off, errRepeatedKey)
		}
		k := string(key)
		keys[k] = true
		if d.data[d.pos] != '[' {
			return d.skip(1)
		}
		name := "GitHub." + k
		var isList bool
		var err error
		if ids, isList, err = d.githubList(b, k, ids[:0]); err != nil || !isList {
			return err
		}
		t, err := b.newTag(Tag{Name: name}, off)
		if err != nil {
			return err
		}
		for _, id := range ids {
			b.add(t, id)
		}
		return nil
	})
	if err != nil {
		return err
	}
	if len(b.tags) == 0 {
		return d.missing(loc{"(document)", -1, ""}, 0, "the document has no list of CIDR prefixes; is this GitHub's /meta?")
	}
	return nil
}

// githubList reads the list of key. It is a list of prefixes when every
// element is a string that parses as one (also when it is empty), and not
// one when no element does. A list with both is an error naming the first
// element that is not a prefix.
func (d *decoder) githubList(b *tagBuilder, key string, ids []int32) ([]int32, bool, error) {
	tag, key := clip("GitHub."+key), clip(key)
	firstCIDR := -1
	var other *FeedPrefixError // the first element that is not a prefix
	err := d.elements(loc{key, -1, ""}, "array", func(i int) error {
		off := d.pos
		if d.data[d.pos] != '"' {
			if err := d.skip(2); err != nil {
				return err
			}
			if other == nil {
				other = &FeedPrefixError{Value: clip(string(d.data[off:d.pos])), Offset: int64(off), Path: loc{key, i, ""}.String(),
					Err: fmt.Errorf("a JSON %s", kindOf(d.data[off]))}
			}
			return nil
		}
		s, err := d.str()
		if err != nil {
			return err
		}
		p, err := parsePrefixBounded(s)
		if err != nil {
			if other == nil {
				other = &FeedPrefixError{Value: clip(string(s)), Offset: int64(off), Path: loc{key, i, ""}.String(), Err: err}
			}
			return nil
		}
		if firstCIDR < 0 {
			firstCIDR = i
		}
		if err := checkPrefix(p); err != nil {
			return &FeedPrefixError{Feed: GitHub, Tag: tag, Path: loc{key, i, ""}.String(), Value: clip(string(s)), Offset: int64(off), Err: err}
		}
		ids = append(ids, b.prefix(p))
		return nil
	})
	switch {
	case err != nil:
		return ids, false, err
	case other != nil && firstCIDR >= 0:
		other.Feed, other.Tag = GitHub, tag
		other.Err = fmt.Errorf("%w: element %d is a CIDR prefix, this one is not (%s); a list holds only prefixes or none", ErrMixedList, firstCIDR, cause(other.Err))
		return ids, false, other
	}
	return ids, other == nil, nil
}
