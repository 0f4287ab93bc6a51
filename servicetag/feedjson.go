package servicetag

import (
	"fmt"
	"net/netip"
	"strconv"
	"time"
)

// loc names a value of a feed in errors: "list[i].key", "list[i]" (key
// ""), "list" (i < 0) or "list.key" (i < 0). It is formatted only when an
// error is returned.
type loc struct {
	list string
	i    int
	key  string
}

func (l loc) String() string {
	s := l.list
	if l.i >= 0 {
		s += "[" + strconv.Itoa(l.i) + "]"
	}
	if l.key != "" {
		if s != "" {
			s += "."
		}
		s += l.key
	}
	return s
}

func itoa(i int) string { return strconv.Itoa(i) }

// top reads the '{' of the top-level object; after the object, call
// d.end.
func (d *decoder) top() error {
	c, err := d.peek()
	if err != nil {
		return err
	}
	if c != '{' {
		return d.wrongType("(document)", "object")
	}
	d.pos++
	return nil
}

// open consumes the '{' or '[' (open) at d.pos, or reports the wrong type.
func (d *decoder) open(l loc, open byte, want string) error {
	if d.data[d.pos] != open {
		return d.wrongType(l.String(), want)
	}
	d.pos++
	return nil
}

// once checks that the key of bit has not been seen in this object.
func (d *decoder) once(seen *seenSet, bit uint, l loc, off int) error {
	if *seen&(1<<bit) != 0 {
		return d.fieldErr(l.String(), off, errRepeatedKey)
	}
	*seen |= 1 << bit
	return nil
}

// stringAt reads a string (not null). The result aliases d.data or
// d.scratch.
func (d *decoder) stringAt(l loc) ([]byte, error) {
	if d.data[d.pos] != '"' {
		return nil, d.wrongType(l.String(), "string")
	}
	return d.str()
}

// nameAt reads a non-empty string.
func (d *decoder) nameAt(l loc) ([]byte, error) {
	off := d.pos
	s, err := d.stringAt(l)
	if err == nil && len(s) == 0 {
		err = d.fieldErr(l.String(), off, errEmptyName)
	}
	return s, err
}

// boolAt reads true or false.
func (d *decoder) boolAt(l loc) (bool, error) {
	switch d.data[d.pos] {
	case 't':
		return true, d.literal("true")
	case 'f':
		return false, d.literal("false")
	}
	return false, d.wrongType(l.String(), "boolean")
}

// timeAt reads a time string in the given layout, or in RFC 3339.
// Times without an offset are UTC.
func (d *decoder) timeAt(l loc, layout string) (time.Time, error) {
	off := d.pos
	s, err := d.stringAt(l)
	if err != nil {
		return time.Time{}, err
	}
	t, err := time.Parse(layout, string(s))
	if err != nil {
		if t, err2 := time.Parse(time.RFC3339Nano, string(s)); err2 == nil {
			return t, nil
		}
		return time.Time{}, d.fieldErr(l.String(), off, fmt.Errorf("invalid time %q; the feed writes times as %s", clip(string(s)), layout))
	}
	return t, nil
}

// prefixAt reads a prefix string that must be canonical, not mapped and
// of family (4, 6 or anyFamily). A value that is a string but not such a
// prefix returns a *FeedPrefixError (without Tag) as bad and a nil err,
// so that the caller can name the tag; err is for everything else.
func (d *decoder) prefixAt(f Feed, l loc, family int) (p netip.Prefix, bad *FeedPrefixError, err error) {
	off := d.pos
	s, err := d.stringAt(l)
	if err != nil {
		return p, nil, err
	}
	p, perr := parsePrefixBounded(s)
	if perr == nil {
		perr = checkPrefix(p)
	}
	if perr == nil {
		perr = familyError(p, family)
	}
	if perr != nil {
		return p, &FeedPrefixError{Feed: f, Path: l.String(), Value: clip(string(s)), Offset: int64(off), Err: perr}, nil
	}
	return p, nil, nil
}

// missing reports a required key absent from the object at off.
func (d *decoder) missing(l loc, off int, why string) error {
	return &FieldError{Field: l.String(), Offset: int64(off), Err: fmt.Errorf("%w: %s", ErrMissingField, why)}
}

// feedDocument reads the top-level object, calling fn for each key, and
// checks that nothing follows it.
func (d *decoder) feedDocument(fn func(key []byte, off int) error) error {
	if err := d.top(); err != nil {
		return err
	}
	if err := d.members(fn); err != nil {
		return err
	}
	return d.end()
}

// object reads the object at d.pos, calling fn for each key.
func (d *decoder) object(l loc, fn func(key []byte, off int) error) error {
	if err := d.open(l, '{', "object"); err != nil {
		return err
	}
	return d.members(fn)
}

// members calls fn for each key of an object whose '{' has been
// consumed, with the value at d.pos and off its offset. The key aliases
// d.data or d.scratch: use it before reading another string.
func (d *decoder) members(fn func(key []byte, off int) error) error {
	for first := true; ; first = false {
		key, more, err := d.nextKey(first)
		if err != nil {
			return err
		}
		if !more {
			return nil
		}
		if err := fn(key, d.pos); err != nil {
			return err
		}
	}
}

// elements reads the array at d.pos (want describes it for a wrong
// type), calling fn for each element with the element at d.pos.
func (d *decoder) elements(l loc, want string, fn func(i int) error) error {
	if err := d.open(l, '[', want); err != nil {
		return err
	}
	for i, first := 0, true; ; i, first = i+1, false {
		more, err := d.nextElem(first)
		if err != nil {
			return err
		}
		if !more {
			return nil
		}
		if err := fn(i); err != nil {
			return err
		}
	}
}

// onceString reads the string of a key that may appear once (bit).
func (d *decoder) onceStringAt(seen *seenSet, bit uint, l loc, off int) (string, error) {
	if err := d.once(seen, bit, l, off); err != nil {
		return "", err
	}
	s, err := d.stringAt(l)
	return string(s), err
}

// onceTimeAt reads the time of a key that may appear once (bit).
func (d *decoder) onceTimeAt(seen *seenSet, bit uint, l loc, off int, layout string) (time.Time, error) {
	if err := d.once(seen, bit, l, off); err != nil {
		return time.Time{}, err
	}
	return d.timeAt(l, layout)
}

// interner numbers the distinct strings it is given.
type interner struct {
	ids   map[string]int32
	names []string
}

func (in *interner) id(s []byte) int32 {
	if i, ok := in.ids[string(s)]; ok {
		return i
	}
	if in.ids == nil {
		in.ids = map[string]int32{}
	}
	i := int32(len(in.names))
	in.names = append(in.names, string(s))
	in.ids[in.names[i]] = i
	return i
}

// groupTags makes the two-level tags of AWS and Oracle:
// "<base>.<group>" and "<base>.<group>.<region>", where the group is an
// AWS service or an Oracle tag.
type groupTags struct {
	b        *tagBuilder
	base     string
	groups   interner
	regions  interner
	groupTag []int32          // group → its tag, -1 before its first use
	pairTag  map[uint64]int32 // group<<32 | region → its tag
}

func (g *groupTags) group(s []byte) int32 {
	i := g.groups.id(s)
	if int(i) == len(g.groupTag) {
		g.groupTag = append(g.groupTag, -1)
	}
	return i
}

func (g *groupTags) region(s []byte) int32 { return g.regions.id(s) }

// name names the tag of group and region, as far as they are known
// (-1 for unknown), for errors.
func (g *groupTags) name(group, region int32) string {
	switch {
	case group < 0:
		return g.base
	case region < 0:
		return g.base + "." + g.groups.names[group]
	}
	return g.base + "." + g.groups.names[group] + "." + g.regions.names[region]
}

// add puts prefix id into the group's tag and the group's regional tag,
// creating them on first use (a name clash is reported at byte off).
func (g *groupTags) add(group, region, id int32, off int) error {
	gt := g.groupTag[group]
	if gt < 0 {
		var err error
		if gt, err = g.b.newTag(Tag{Name: g.name(group, -1), SystemService: g.groups.names[group]}, off); err != nil {
			return err
		}
		g.groupTag[group] = gt
	}
	if g.pairTag == nil {
		g.pairTag = map[uint64]int32{}
	}
	key := uint64(group)<<32 | uint64(region)
	rt, ok := g.pairTag[key]
	if !ok {
		var err error
		rt, err = g.b.newTag(Tag{Name: g.name(group, region), Region: g.regions.names[region], SystemService: g.groups.names[group]}, off)
		if err != nil {
			return err
		}
		g.pairTag[key] = rt
	}
	g.b.add(gt, id)
	g.b.add(rt, id)
	return nil
}
