package allowlist

import (
	"bufio"
	"net/netip"
	"os"
	"strings"
	"testing"

	"pgregory.net/rapid"
)

// TestNonGlobalMatchesCPython compares nonGlobal with the verdicts of
// CPython 3.13.0's ip_network(p).is_global, recorded in testdata.
func TestNonGlobalMatchesCPython(t *testing.T) {
	f, err := os.Open("testdata/cpython313_is_global.txt")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	n := 0
	for sc.Scan() {
		line := sc.Text()
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		text, verdict, ok := strings.Cut(line, " ")
		if !ok {
			t.Fatalf("bad line %q", line)
		}
		p := netip.MustParsePrefix(text)
		wantGlobal := verdict == "true"
		_, bad := nonGlobal(p)
		if bad == wantGlobal {
			t.Errorf("nonGlobal(%s) = %v; CPython 3.13 is_global = %v", p, bad, wantGlobal)
		}
		n++
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	if n < 1000 {
		t.Fatalf("read only %d cases", n)
	}
}

func TestNonGlobal(t *testing.T) {
	tests := []struct {
		prefix    string
		nonGlobal bool
		block     string // the block reported, when nonGlobal
	}{
		{"10.1.2.3/32", true, "10.0.0.0/8"},
		{"10.0.0.0/8", true, "10.0.0.0/8"},
		{"10.0.0.0/7", false, ""}, // reaches beyond 10/8: global to CPython and the az CLI
		{"0.0.0.0/0", false, ""},
		{"0.0.0.0/32", true, "0.0.0.0/8"},
		{"100.64.0.1/32", true, "100.64.0.0/10"},
		{"100.64.0.0/9", false, ""},
		{"192.0.0.8/32", true, "192.0.0.0/24"}, // 3.13 (3.12.1 said global)
		{"192.0.0.9/32", false, ""},            // exception
		{"192.0.0.10/31", false, ""},           // first address is an exception
		{"192.0.0.8/30", true, "192.0.0.0/24"}, // holds the exceptions, but neither end is one
		{"192.0.0.171/32", true, "192.0.0.170/31"},
		{"224.0.0.0/4", false, ""}, // multicast: global to CPython
		{"255.255.255.255/32", true, "255.255.255.255/32"},
		{"255.255.255.254/32", true, "240.0.0.0/4"},
		{"73.140.245.0/24", false, ""},
		{"2001:db8::/32", true, "2001:db8::/32"},
		{"2001:1::1/128", false, ""},
		{"2001:1::3/128", true, "2001::/23"},
		{"2001:20::/28", false, ""},
		{"2001::/23", true, "2001::/23"},
		{"2002::/16", true, "2002::/16"},
		{"64:ff9b::/96", false, ""},
		{"3fff::/20", false, ""},
		{"::/0", false, ""},
		{"fe80::/64", true, "fe80::/10"},
		{"2603:1000::/25", false, ""},
	}
	for _, tt := range tests {
		b, bad := nonGlobal(netip.MustParsePrefix(tt.prefix))
		if bad != tt.nonGlobal {
			t.Errorf("nonGlobal(%s) = %v, want %v", tt.prefix, bad, tt.nonGlobal)
			continue
		}
		if bad && b.prefix.String() != tt.block {
			t.Errorf("nonGlobal(%s) reports block %s, want %s", tt.prefix, b.prefix, tt.block)
		}
		if bad && b.name == "" {
			t.Errorf("block %s has no name", b.prefix)
		}
	}
}

func TestOverlapsNonGlobal(t *testing.T) {
	tests := []struct {
		prefix string
		want   bool
	}{
		{"10.0.0.0/7", true},
		{"0.0.0.0/0", true},
		{"::/0", true},
		{"10.1.2.3/32", true},
		{"192.0.0.9/32", false}, // exception
		{"192.0.0.10/32", false},
		{"192.0.0.10/31", true}, // 192.0.0.11 is not an exception
		{"192.0.0.8/30", true},
		{"73.140.245.0/24", false},
		{"8.0.0.0/7", false},
		{"8.0.0.0/6", true}, // 8.0.0.0-11.255.255.255 holds 10/8
		{"2603:1000::/25", false},
	}
	for _, tt := range tests {
		if got := overlapsNonGlobal(netip.MustParsePrefix(tt.prefix)); got != tt.want {
			t.Errorf("overlapsNonGlobal(%s) = %v, want %v", tt.prefix, got, tt.want)
		}
	}
}

// TestNonGlobalImpliesOverlap: whatever nonGlobal rejects, overlapsNonGlobal
// flags, so the lint sees every entry Parse would refuse.
func TestNonGlobalImpliesOverlap(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		var p netip.Prefix
		if rapid.Bool().Draw(t, "v6") {
			b := rapid.SliceOfN(rapid.Byte(), 16, 16).Draw(t, "addr")
			p = netip.PrefixFrom(netip.AddrFrom16([16]byte(b)), rapid.IntRange(0, 128).Draw(t, "bits")).Masked()
		} else {
			b := rapid.SliceOfN(rapid.Byte(), 4, 4).Draw(t, "addr")
			p = netip.PrefixFrom(netip.AddrFrom4([4]byte(b)), rapid.IntRange(0, 32).Draw(t, "bits")).Masked()
		}
		if _, bad := nonGlobal(p); bad && !overlapsNonGlobal(p) {
			t.Fatalf("nonGlobal(%s) but !overlapsNonGlobal", p)
		}
	})
}
