package main

import (
	"strings"
	"testing"

	"github.com/ipallow/ipallow/allowlist"
)

// FuzzDecodeCurrent feeds decodeCurrent arbitrary bytes: it must not panic,
// a decoded list must be one line of comma-separated elements, and a plain
// list must decode to itself again.
func FuzzDecodeCurrent(f *testing.F) {
	f.Add([]byte(`{"apiServerAccessProfile": {"authorizedIpRanges": ["73.140.245.0/24"]}}`))
	f.Add([]byte("73.140.245.0/24\n193.168.1.0/24\n"))
	f.Add([]byte("\xFF\xFE[\x00]\x00"))
	f.Fuzz(func(t *testing.T, data []byte) {
		cur, err := decodeCurrent(data)
		if err != nil {
			if cur != (currentInput{}) {
				t.Errorf("error %v with a result %+v", err, cur)
			}
			return
		}
		if cur.shape == "text" && strings.ContainsAny(cur.text, " \t\r\n") {
			t.Errorf("plain list %q kept a separator", cur.text)
		}
		if cur.shape == "text" && strings.Contains(cur.text, ",,") {
			t.Errorf("plain list %q has an empty element", cur.text)
		}
		allowlist.Parse(cur.text, currentPolicy) // must not panic
		if cur.shape != "text" || cur.text == "" || strings.ContainsAny(cur.text[:1], `{["`) || cur.text == "null" {
			return // read again, it would be JSON
		}
		if b, _ := fromBOM([]byte(cur.text)); string(b) != cur.text {
			return // read again, it would start with a byte-order mark
		}
		again, err := decodeCurrent([]byte(cur.text))
		if err != nil || again.text != cur.text {
			t.Errorf("plain list %q decodes to %q, %v", cur.text, again.text, err)
		}
	})
}
