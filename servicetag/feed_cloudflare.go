package servicetag

import "errors"

var errNotSuccess = errors.New(`"success" is false: the API answered with an error, not with the ranges`)

// cloudflare decodes the API's JSON: {"result": {"ipv4_cidrs": [...],
// "ipv6_cidrs": [...], "etag": "..."}, "success": true, ...}.
func (d *decoder) cloudflare(doc *Document, b *tagBuilder) error {
	var seen seenSet
	haveResult := false
	err := d.feedDocument(func(key []byte, off int) (err error) {
		switch string(key) {
		case "result":
			// An error answer has "result": null and "success": false;
			// null is allowed here so that the error says so.
			if err = d.once(&seen, 0, loc{"result", -1, ""}, off); err == nil {
				var isNull bool
				if isNull, err = d.null(); !isNull && err == nil {
					err = d.cloudflareResult(doc, b)
					haveResult = true
				}
			}
		case "success":
			l := loc{"success", -1, ""}
			if err = d.once(&seen, 1, l, off); err == nil {
				var ok bool
				if ok, err = d.boolAt(l); err == nil && !ok {
					err = d.fieldErr(l.String(), off, errNotSuccess)
				}
			}
		default:
			err = d.skip(1)
		}
		return err
	})
	switch {
	case err != nil:
		return err
	case !haveResult:
		return d.missing(loc{"result", -1, ""}, 0, `the document has no "result"; is this Cloudflare's /ips answer?`)
	case seen&2 == 0:
		return d.missing(loc{"success", -1, ""}, 0, `the answer does not say "success": true`)
	}
	return nil
}

func (d *decoder) cloudflareResult(doc *Document, b *tagBuilder) error {
	start := d.pos
	var seen seenSet
	err := d.object(loc{"result", -1, ""}, func(key []byte, off int) (err error) {
		switch k := string(key); k {
		case "ipv4_cidrs", "ipv6_cidrs":
			// (Literal names keep k from escaping.)
			list, family := "result.ipv4_cidrs", 4
			if k == "ipv6_cidrs" {
				list, family = "result.ipv6_cidrs", 6
			}
			if err = d.once(&seen, uint(family/6), loc{list, -1, ""}, off); err == nil {
				err = d.elements(loc{list, -1, ""}, "array of strings", func(i int) error {
					p, bad, err := d.prefixAt(Cloudflare, loc{list, i, ""}, family)
					if bad != nil {
						bad.Tag = "Cloudflare"
						return bad
					}
					if err == nil {
						b.prefix(p)
					}
					return err
				})
			}
		case "etag":
			doc.ETag, err = d.onceStringAt(&seen, 2, loc{"result", -1, "etag"}, off)
		default:
			err = d.skip(2)
		}
		return err
	})
	if err != nil {
		return err
	}
	for bit, k := range []string{"ipv4_cidrs", "ipv6_cidrs"} {
		if seen&(1<<bit) == 0 {
			return d.missing(loc{"result", -1, k}, start, "the result lists both families")
		}
	}
	return nil
}
