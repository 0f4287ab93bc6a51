package servicetag

import (
	"encoding/json"
	"net/netip"
	"strings"
	"testing"
)

// FuzzDecode checks that DecodeBytes never panics, that it accepts only
// valid JSON, and that an accepted document has only canonical prefixes
// and case-insensitively unique names that Lookup finds.
func FuzzDecode(f *testing.F) {
	f.Add([]byte(doc(entry("A", `"10.0.0.0/8", "2001:db8::/32"`))))
	f.Add([]byte(`{"value": [{"name": "A", "serviceTagChangeNumber": "3", "properties": {"addressPrefixes": ["1.2.3.4/32"], "state": "GA"}}], "nextLink": null}`))
	f.Add([]byte(`{"changeNumber": "63", "values": [{"name": "\u0041\ud83d\ude00", "properties": {"networkFeatures": ["API"]}}], "x": [1e5, -0.5, true]}`))
	f.Add([]byte(doc(entry("A", `"10.1.2.3/8"`))))
	f.Add([]byte(doc(entry("A", `"::ffff:1.2.3.4/128"`), entry("a", `"1.2.3.4/32"`))))
	f.Add(gzipBytes([]byte(doc(entry("A", `"1.2.3.0/24"`)))))
	f.Fuzz(func(t *testing.T, data []byte) {
		d, err := (DecodeOptions{MaxSize: 1 << 20}).DecodeBytes(data)
		if err != nil {
			if d != nil {
				t.Fatal("document returned with an error")
			}
			return
		}
		if !(len(data) >= 2 && data[0] == 0x1f && data[1] == 0x8b) && !json.Valid(data) {
			t.Fatalf("accepted invalid JSON %q", data)
		}
		seen := map[string]bool{}
		for _, tag := range d.Tags {
			if tag.Name == "" {
				t.Fatal("tag without a name")
			}
			key := strings.ToLower(tag.Name)
			if seen[key] {
				t.Fatalf("duplicate name %q", tag.Name)
			}
			seen[key] = true
			for _, p := range tag.Prefixes {
				if !p.IsValid() || p != p.Masked() {
					t.Fatalf("tag %q has non-canonical prefix %v", tag.Name, p)
				}
			}
			if got, err := d.Lookup(strings.ToUpper(tag.Name)); err != nil && strings.ToLower(strings.ToUpper(tag.Name)) == key {
				t.Fatalf("Lookup(%q): %v", strings.ToUpper(tag.Name), err)
			} else if err == nil && lowerKey(got.Name) != lowerKey(strings.ToUpper(tag.Name)) {
				t.Fatalf("Lookup(%q) = %q", strings.ToUpper(tag.Name), got.Name)
			}
		}
		d.Hash()
		d.Suggest("x.y", 3)
	})
}

// FuzzParsePrefix checks the allocation-free prefix parser against
// netip.ParsePrefix.
func FuzzParsePrefix(f *testing.F) {
	for _, s := range []string{"10.0.0.0/8", "1.2.3.4/32", "::/0", "2001:db8::/32", "1:2:3:4:5:6:7:8/128", "::ffff:1.2.3.4/128", "01.2.3.4/8", "1::2::3/64", "fe80::%a/64"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		want, werr := netip.ParsePrefix(s)
		got, gerr := parsePrefix([]byte(s))
		if got != want || (werr == nil) != (gerr == nil) {
			t.Fatalf("parsePrefix(%q) = %v, %v; netip: %v, %v", s, got, gerr, want, werr)
		}
		if p, ok := parsePrefixFast([]byte(s)); ok && (werr != nil || p != want) {
			t.Fatalf("fast path accepted %q as %v; netip: %v, %v", s, p, want, werr)
		}
	})
}
