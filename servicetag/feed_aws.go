package servicetag

import "net/netip"

// aws decodes ip-ranges.json.
func (d *decoder) aws(doc *Document, b *tagBuilder) error {
	g := groupTags{b: b, base: "AWS"}
	var seen seenSet
	err := d.feedDocument(func(key []byte, off int) (err error) {
		switch string(key) {
		case "syncToken":
			doc.SyncToken, err = d.onceStringAt(&seen, 0, loc{"syncToken", -1, ""}, off)
		case "createDate":
			doc.Created, err = d.onceTimeAt(&seen, 1, loc{"createDate", -1, ""}, off, "2006-01-02-15-04-05")
		case "prefixes":
			if err = d.once(&seen, 2, loc{"prefixes", -1, ""}, off); err == nil {
				err = d.awsRows(&g, "prefixes", "ip_prefix", 4)
			}
		case "ipv6_prefixes":
			if err = d.once(&seen, 3, loc{"ipv6_prefixes", -1, ""}, off); err == nil {
				err = d.awsRows(&g, "ipv6_prefixes", "ipv6_prefix", 6)
			}
		default:
			err = d.skip(1)
		}
		return err
	})
	if err != nil {
		return err
	}
	for bit, name := range []string{2: "prefixes", 3: "ipv6_prefixes"} {
		if name != "" && seen&(1<<bit) == 0 {
			return d.missing(loc{name, -1, ""}, 0, `the document has no "`+name+`" list; is this AWS's ip-ranges.json?`)
		}
	}
	return nil
}

// awsRows decodes the rows of the list "prefixes" or "ipv6_prefixes",
// whose prefix key is pkey.
func (d *decoder) awsRows(g *groupTags, list, pkey string, family int) error {
	return d.elements(loc{list, -1, ""}, "array of objects", func(i int) error {
		return d.awsRow(g, list, pkey, family, i)
	})
}

func (d *decoder) awsRow(g *groupTags, list, pkey string, family, i int) error {
	start := d.pos
	var seen seenSet
	svc, reg, id := int32(-1), int32(-1), int32(-1)
	// A bad prefix is reported once the row has been read, with its tag.
	var bad *FeedPrefixError
	err := d.object(loc{list, i, ""}, func(key []byte, off int) (err error) {
		switch k := string(key); {
		case k == pkey:
			l := loc{list, i, pkey}
			if err = d.once(&seen, 0, l, off); err == nil {
				var p netip.Prefix
				if p, bad, err = d.prefixAt(AWS, l, family); err == nil && bad == nil {
					id = g.b.prefix(p)
				}
			}
		case k == "service", k == "region":
			// (Literal names keep k from escaping.)
			l, bit := loc{list, i, "service"}, uint(1)
			if k == "region" {
				l, bit = loc{list, i, "region"}, 2
			}
			var s []byte
			if err = d.once(&seen, bit, l, off); err == nil {
				s, err = d.nameAt(l)
			}
			if err == nil && bit == 1 {
				svc = g.group(s)
			} else if err == nil {
				reg = g.region(s)
			}
		case k == "network_border_group":
			l := loc{list, i, "network_border_group"}
			if err = d.once(&seen, 3, l, off); err == nil {
				_, err = d.stringAt(l)
			}
		default:
			err = d.skip(3)
		}
		return err
	})
	switch {
	case bad != nil:
		bad.Tag = g.name(svc, reg)
		return bad
	case err != nil:
		return err
	case id < 0:
		return d.missing(loc{list, i, pkey}, start, "every row of "+list+" needs one")
	case svc < 0:
		return d.missing(loc{list, i, "service"}, start, "every row needs one")
	case reg < 0:
		return d.missing(loc{list, i, "region"}, start, "every row needs one")
	}
	return g.add(svc, reg, id, start)
}
