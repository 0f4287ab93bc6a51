package allowlist

import (
	"errors"
	"strings"
	"testing"
	"unsafe"
)

// bombSize is the size of the hostile inputs: a 4 MiB range file.
const bombSize = 4 << 20

// bombs returns inputs whose problems, reported one by one, once cost
// gigabytes: every element an error.
func bombs() map[string]string {
	return map[string]string{
		"commas":           strings.Repeat(",", bombSize),
		"no commas":        strings.Repeat("x", bombSize),
		"addresses":        strings.Repeat("1.2.3.4,", bombSize/8),
		"bad entries":      strings.Repeat("1.2.3.4/33,", bombSize/11),
		"quoted entries":   strings.Repeat(`"10.0.0.1",`, bombSize/11),
		"invisible":        strings.Repeat("\u00a0", bombSize/2),
		"newlines":         strings.Repeat("\n", bombSize),
		"lines of entries": strings.Repeat("1.2.3.4/33\n", bombSize/11),
	}
}

// TestBoundedErrors: whatever the input, the error lists at most 101
// problems, each of bounded size, and its message is bounded too.
func TestBoundedErrors(t *testing.T) {
	for name, in := range bombs() {
		for _, p := range []Policy{AKS, general} {
			for fn, parse := range map[string]func(string, Policy) (List, error){"Parse": Parse, "ParseLines": ParseLines} {
				_, err := parse(in, p)
				var le *ListError
				if !errors.As(err, &le) {
					t.Fatalf("%s %s: %v, want a *ListError", fn, name, err)
				}
				checkBounded(t, le)
			}
		}
	}
}

// TestBoundedErrorsCount: the problems beyond the first 100 are counted,
// and the message says so.
func TestBoundedErrorsCount(t *testing.T) {
	_, err := Parse(strings.Repeat(",", 1000), general)
	var le *ListError
	if !errors.As(err, &le) || len(le.Errors) != maxReported || le.Omitted != 1001-maxReported {
		t.Fatalf("1001 empty entries: %d listed, %d omitted", len(le.Errors), le.Omitted)
	}
	last := le.Error()[strings.LastIndexByte(le.Error(), '\n')+1:]
	if want := "and 901 more problems in later entries (only the first 100 are listed)"; last != want {
		t.Errorf("last line %q, want %q", last, want)
	}

	// Beyond MaxEntries entries are counted, not examined; the limit is
	// always listed.
	_, err = Parse(strings.Repeat(",", 1000), AKS)
	if !errors.As(err, &le) || len(le.Errors) != maxReported+1 || le.Omitted != 200-maxReported ||
		le.Errors[maxReported].Kind != ErrTooMany {
		t.Fatalf("1001 empty entries under AKS: %d listed, %d omitted: %v", len(le.Errors), le.Omitted, err)
	}
	if !strings.Contains(le.Errors[maxReported].Reason, "the list has 1001 entries") {
		t.Errorf("limit problem: %v", le.Errors[maxReported])
	}
}

// TestEntryErrorKeepsNoInput: an error keeps its own copy of at most
// maxKeptEntry bytes of an element, not the input.
func TestEntryErrorKeepsNoInput(t *testing.T) {
	in := strings.Repeat("y", 1<<16)
	_, err := Parse(in, AKS)
	var e *EntryError
	if !errors.As(err, &e) || len(e.Entry) != maxKeptEntry {
		t.Fatalf("Entry of %d bytes", len(e.Entry))
	}
	start, p := uintptr(unsafe.Pointer(unsafe.StringData(in))), uintptr(unsafe.Pointer(unsafe.StringData(e.Entry)))
	if start <= p && p < start+uintptr(len(in)) {
		t.Errorf("Entry shares the input's memory, which it keeps alive")
	}
	if e := newEntryError(0, "ab\u00e9"+strings.Repeat("c", 200), ErrMalformed, strings.Repeat("r", 1000), 0, 0); len(e.Entry) > maxKeptEntry ||
		len(e.Reason) != maxReason || !strings.HasSuffix(e.Reason, "...") {
		t.Errorf("newEntryError keeps %d and %d bytes", len(e.Entry), len(e.Reason))
	}
	if got := cut("a\u00e9", 2); got != "a" {
		t.Errorf("cut split a character: %q", got)
	}
}

// BenchmarkParseBomb measures a 4 MiB list of commas, each an empty
// entry, and the error message.
func BenchmarkParseBomb(b *testing.B) {
	in := strings.Repeat(",", bombSize)
	for _, p := range []struct {
		name string
		p    Policy
	}{{"AKS", AKS}, {"general", general}} {
		b.Run(p.name, func(b *testing.B) {
			b.SetBytes(int64(len(in)))
			b.ReportAllocs()
			for b.Loop() {
				_, err := Parse(in, p.p)
				if err == nil || len(err.Error()) == 0 {
					b.Fatal("no error")
				}
			}
		})
	}
}
