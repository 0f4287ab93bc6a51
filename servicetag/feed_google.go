package servicetag

import "net/netip"

// googleTimeLayout is the form of creationTime ("2025-07-24T19:16:28.780563").
const googleTimeLayout = "2006-01-02T15:04:05.999999999"

// google decodes cloud.json (GoogleCloud) and goog.json (Google).
func (d *decoder) google(doc *Document, b *tagBuilder) error {
	scopes := map[string]int32{} // scope → tag "GoogleCloud.<scope>"
	var seen seenSet
	err := d.feedDocument(func(key []byte, off int) (err error) {
		switch string(key) {
		case "syncToken":
			doc.SyncToken, err = d.onceStringAt(&seen, 0, loc{"syncToken", -1, ""}, off)
		case "creationTime":
			doc.Created, err = d.onceTimeAt(&seen, 1, loc{"creationTime", -1, ""}, off, googleTimeLayout)
		case "prefixes":
			if err = d.once(&seen, 2, loc{"prefixes", -1, ""}, off); err == nil {
				err = d.elements(loc{"prefixes", -1, ""}, "array of objects", func(i int) error {
					return d.googleRow(b, scopes, i)
				})
			}
		default:
			err = d.skip(1)
		}
		return err
	})
	if err != nil {
		return err
	}
	if seen&(1<<2) == 0 {
		file := "goog.json"
		if b.feed == GoogleCloud {
			file = "cloud.json"
		}
		return d.missing(loc{"prefixes", -1, ""}, 0, `the document has no "prefixes" list; is this Google's `+file+`?`)
	}
	return nil
}

func (d *decoder) googleRow(b *tagBuilder, scopes map[string]int32, i int) error {
	start := d.pos
	cloud := b.feed == GoogleCloud
	var seen seenSet
	id, scope := int32(-1), int32(-1)
	var bad *FeedPrefixError
	err := d.object(loc{"prefixes", i, ""}, func(key []byte, off int) (err error) {
		switch k := string(key); k {
		case "ipv4Prefix", "ipv6Prefix":
			// (Literal names keep k from escaping.)
			l, family, bit := loc{"prefixes", i, "ipv4Prefix"}, 4, uint(0)
			if k == "ipv6Prefix" {
				l, family, bit = loc{"prefixes", i, "ipv6Prefix"}, 6, 1
			}
			if seen&3 != 0 && seen&(1<<bit) == 0 {
				return d.fieldErr(l.String(), off, errOnePrefix)
			}
			if err = d.once(&seen, bit, l, off); err == nil {
				var p netip.Prefix
				if p, bad, err = d.prefixAt(b.feed, l, family); err == nil && bad == nil {
					id = b.prefix(p)
				}
			}
		case "scope", "service":
			l, bit := loc{"prefixes", i, "scope"}, uint(2)
			if k == "service" {
				l, bit = loc{"prefixes", i, "service"}, 3
			}
			if !cloud {
				return d.fieldErr(l.String(), off, errCloudRow)
			}
			if err = d.once(&seen, bit, l, off); err != nil {
				return err
			}
			if bit == 3 {
				_, err = d.stringAt(l)
				return err
			}
			var s []byte
			if s, err = d.nameAt(l); err == nil {
				scope, err = d.googleScope(b, scopes, s, start)
			}
		default:
			err = d.skip(3)
		}
		return err
	})
	switch {
	case bad != nil:
		bad.Tag = b.tags[0].Name
		if scope >= 0 {
			bad.Tag = b.tags[scope].Name
		}
		return bad
	case err != nil:
		return err
	case id < 0:
		return d.missing(loc{"prefixes", i, "ipv4Prefix"}, start, `every row needs "ipv4Prefix" or "ipv6Prefix"`)
	case cloud && scope < 0:
		return d.missing(loc{"prefixes", i, "scope"}, start, "every row of cloud.json needs one")
	case cloud:
		b.add(scope, id)
	}
	return nil
}

// googleScope returns the tag of a scope, creating it on first use.
func (d *decoder) googleScope(b *tagBuilder, scopes map[string]int32, s []byte, off int) (int32, error) {
	if t, ok := scopes[string(s)]; ok {
		return t, nil
	}
	name := string(s)
	t, err := b.newTag(Tag{Name: "GoogleCloud." + name, Region: name}, off)
	if err != nil {
		return 0, err
	}
	scopes[name] = t
	return t, nil
}
