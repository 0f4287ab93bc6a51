package servicetag

import (
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

// TestDecodeRejectsMappedPrefix: an IPv4-mapped prefix can never match
// (addresses are unmapped before matching), and allowlist.Resolve refuses
// it, so a document holding one must fail at decode, not at every later
// rebuild.
func TestDecodeRejectsMappedPrefix(t *testing.T) {
	tests := []struct {
		prefix string
		want   *PrefixError
		msg    string
	}{
		{`::ffff:10.0.0.0/104`, &PrefixError{Tag: "A", Index: 1, Value: "::ffff:10.0.0.0/104", Offset: 215},
			`servicetag: tag "A": addressPrefixes[1] "::ffff:10.0.0.0/104" at byte 215: prefix is IPv4-mapped IPv6; write the IPv4 prefix 10.0.0.0/8`},
		{`::ffff:1.2.3.4/128`, &PrefixError{Tag: "A", Index: 1, Value: "::ffff:1.2.3.4/128", Offset: 215},
			`servicetag: tag "A": addressPrefixes[1] "::ffff:1.2.3.4/128" at byte 215: prefix is IPv4-mapped IPv6; write the IPv4 prefix 1.2.3.4/32`},
		// Shorter than /96 the prefix has host bits set, and its
		// canonical form is not mapped: the non-canonical error applies.
		{`::ffff:0.0.0.0/95`, &PrefixError{Tag: "A", Index: 1, Value: "::ffff:0.0.0.0/95", Offset: 215, Err: ErrNonCanonicalPrefix},
			`servicetag: tag "A": addressPrefixes[1] "::ffff:0.0.0.0/95" at byte 215: prefix is not canonical (host bits set); the canonical form is ::fffe:0:0/95`},
	}
	for _, tt := range tests {
		t.Run(tt.prefix, func(t *testing.T) {
			_, err := DecodeBytes([]byte(doc(entry("A", `"10.0.0.0/8", "`+tt.prefix+`"`))))
			var pe *PrefixError
			if !errors.As(err, &pe) {
				t.Fatalf("error %v is not a *PrefixError", err)
			}
			if tt.want.Err == nil && !errors.Is(err, ErrMappedPrefix) {
				t.Errorf("error %v does not match ErrMappedPrefix", err)
			}
			if diff := cmp.Diff(*tt.want, *pe, cmpopts.IgnoreFields(PrefixError{}, "Err")); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
			if tt.want.Err != nil && pe.Err != tt.want.Err {
				t.Errorf("cause %v, want %v", pe.Err, tt.want.Err)
			}
			if err.Error() != tt.msg {
				t.Errorf("message\n%s\nwant\n%s", err, tt.msg)
			}
		})
	}
}
