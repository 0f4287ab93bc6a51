package servicetag

import "net/netip"

// oracleTimeLayout is the form of last_updated_timestamp
// ("2025-07-21T07:13:25.457838").
const oracleTimeLayout = "2006-01-02T15:04:05.999999999"

// oracleTags collects Oracle's tags. A region's cidrs are held in pending
// until the region object ends, since its "region" key may come after
// its "cidrs".
type oracleTags struct {
	groupTags
	pending  []oracleRow // the current region's (prefix, group) pairs
	cidrTags []int32     // the current cidr's groups
}

type oracleRow struct{ id, group int32 }

// oracle decodes public_ip_ranges.json.
func (d *decoder) oracle(doc *Document, b *tagBuilder) error {
	o := oracleTags{groupTags: groupTags{b: b, base: "Oracle"}}
	var seen seenSet
	err := d.feedDocument(func(key []byte, off int) (err error) {
		switch string(key) {
		case "last_updated_timestamp":
			doc.Created, err = d.onceTimeAt(&seen, 0, loc{"last_updated_timestamp", -1, ""}, off, oracleTimeLayout)
		case "regions":
			if err = d.once(&seen, 1, loc{"regions", -1, ""}, off); err == nil {
				err = d.elements(loc{"regions", -1, ""}, "array of objects", func(i int) error {
					return d.oracleRegion(&o, i)
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
	if seen&2 == 0 {
		return d.missing(loc{"regions", -1, ""}, 0, `the document has no "regions" list; is this Oracle's public_ip_ranges.json?`)
	}
	return nil
}

func (d *decoder) oracleRegion(o *oracleTags, i int) error {
	start := d.pos
	reg := int32(-1)
	var seen seenSet
	err := d.object(loc{"regions", i, ""}, func(key []byte, off int) (err error) {
		switch string(key) {
		case "region":
			l := loc{"regions", i, "region"}
			var s []byte
			if err = d.once(&seen, 0, l, off); err == nil {
				if s, err = d.nameAt(l); err == nil {
					reg = o.region(s)
				}
			}
		case "cidrs":
			l := loc{"regions", i, "cidrs"}
			if err = d.once(&seen, 1, l, off); err == nil {
				list := l.String()
				err = d.elements(l, "array of objects", func(j int) error {
					return d.oracleCidr(o, list, j, reg)
				})
			}
		default:
			err = d.skip(2)
		}
		return err
	})
	switch {
	case err != nil:
		return err
	case reg < 0:
		return d.missing(loc{"regions", i, "region"}, start, "every region needs a name")
	case seen&2 == 0:
		return d.missing(loc{"regions", i, "cidrs"}, start, "every region lists its cidrs")
	}
	for _, r := range o.pending {
		if err := o.add(r.group, reg, r.id, start); err != nil {
			return err
		}
	}
	o.pending = o.pending[:0]
	return nil
}

// oracleCidr reads one entry of a region's cidrs into o.pending. reg is
// the region if its name came before the list, for errors.
func (d *decoder) oracleCidr(o *oracleTags, list string, i int, reg int32) error {
	start := d.pos
	id := int32(-1)
	o.cidrTags = o.cidrTags[:0]
	var seen seenSet
	var bad *FeedPrefixError
	err := d.object(loc{list, i, ""}, func(key []byte, off int) (err error) {
		switch string(key) {
		case "cidr":
			l := loc{list, i, "cidr"}
			if err = d.once(&seen, 0, l, off); err == nil {
				var p netip.Prefix
				if p, bad, err = d.prefixAt(Oracle, l, anyFamily); err == nil && bad == nil {
					id = o.b.prefix(p)
				}
			}
		case "tags":
			l := loc{list, i, "tags"}
			if err = d.once(&seen, 1, l, off); err == nil {
				err = d.elements(l, "array of strings", func(j int) error {
					if d.data[d.pos] != '"' {
						return d.wrongType(loc{l.String(), j, ""}.String(), "string")
					}
					off := d.pos
					s, err := d.str()
					if err == nil && len(s) == 0 {
						err = d.fieldErr(loc{l.String(), j, ""}.String(), off, errEmptyName)
					}
					if err == nil {
						o.cidrTags = append(o.cidrTags, o.group(s))
					}
					return err
				})
			}
		default:
			err = d.skip(4)
		}
		return err
	})
	switch {
	case bad != nil:
		group := int32(-1)
		if len(o.cidrTags) > 0 {
			group = o.cidrTags[0]
		}
		bad.Tag = o.name(group, reg)
		return bad
	case err != nil:
		return err
	case id < 0:
		return d.missing(loc{list, i, "cidr"}, start, "every entry of cidrs needs one")
	case seen&2 == 0:
		return d.missing(loc{list, i, "tags"}, start, "every entry of cidrs lists its tags")
	}
	for _, g := range o.cidrTags {
		o.pending = append(o.pending, oracleRow{id, g})
	}
	return nil
}
