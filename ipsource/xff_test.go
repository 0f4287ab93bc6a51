package ipsource

import (
	"errors"
	"strings"
	"testing"
)

func TestXForwardedFor(t *testing.T) {
	x := must(XForwardedFor(trustedNets))
	const proxy = "10.0.0.9:5000"
	tests := []struct {
		name   string
		remote string
		lines  []string // nil: no header
		want   outcome
	}{
		{"untrusted peer is the client", "198.51.100.1:1", []string{"203.0.113.7"}, ok("198.51.100.1")},
		{"untrusted peer, no header", "198.51.100.1:1", nil, ok("198.51.100.1")},
		{"untrusted peer, garbage header", "198.51.100.1:1", []string{"garbage,,"}, ok("198.51.100.1")},
		{"untrusted IPv6 peer", "[2001:db8::1]:1", []string{"203.0.113.7"}, ok("2001:db8::1")},
		{"bad peer", "@", []string{"203.0.113.7"}, fail(ErrNoPeer)},
		{"bare peer", "10.0.0.9", []string{"203.0.113.7"}, fail(ErrNoPeer)},

		{"one hop", proxy, []string{"203.0.113.7"}, ok("203.0.113.7")},
		{"rightmost untrusted wins", proxy, []string{"198.51.100.1, 203.0.113.7"}, ok("203.0.113.7")},
		{"trusted hops skipped", proxy, []string{"198.51.100.1, 203.0.113.7, 10.0.0.1, 192.168.1.1"}, ok("203.0.113.7")},
		{"trusted IPv6 hop skipped", proxy, []string{"203.0.113.7, 2001:db8:ffff::1"}, ok("203.0.113.7")},
		{"IPv6 client", proxy, []string{"2001:db8::7, 10.0.0.1"}, ok("2001:db8::7")},
		{"bracketed IPv6 with port", proxy, []string{"[2001:db8::7]:4711, 10.0.0.1:80"}, ok("2001:db8::7")},
		{"bracketed IPv6", proxy, []string{"[2001:db8::7]"}, ok("2001:db8::7")},
		{"App Gateway ports", proxy, []string{"203.0.113.7:51234"}, ok("203.0.113.7")},
		{"no whitespace", proxy, []string{"198.51.100.1,203.0.113.7,10.0.0.1"}, ok("203.0.113.7")},
		{"tabs and spaces", proxy, []string{"198.51.100.1 \t,\t 203.0.113.7 \t, 10.0.0.1"}, ok("203.0.113.7")},
		{"lines merged in order", proxy, []string{"198.51.100.1", "203.0.113.7", "10.0.0.1"}, ok("203.0.113.7")},
		{"lines merged, walk crosses lines", proxy, []string{"203.0.113.7, 10.0.0.2", "10.0.0.1"}, ok("203.0.113.7")},
		{"mapped client unmapped", proxy, []string{"::ffff:203.0.113.7"}, ok("203.0.113.7")},
		{"mapped trusted hop skipped", proxy, []string{"203.0.113.7, ::ffff:10.0.0.1, [::ffff:192.168.0.1]:80"}, ok("203.0.113.7")},
		{"NAT64 stays IPv6", proxy, []string{"64:ff9b::a00:1"}, ok("64:ff9b::a00:1")},
		{"IPv4-compatible stays IPv6", proxy, []string{"::10.0.0.1"}, ok("::a00:1")},
		{"port-like IPv6 is an address", proxy, []string{"2001:db8::1:443"}, ok("2001:db8::1:443")},

		{"missing header", proxy, nil, fail(ErrHeaderMissing)},
		{"empty line", proxy, []string{""}, fail(ErrMalformed)},
		{"trailing comma", proxy, []string{"203.0.113.7,"}, fail(ErrMalformed)},
		{"only whitespace", proxy, []string{" \t "}, fail(ErrMalformed)},
		{"empty element after trusted", proxy, []string{"203.0.113.7, , 10.0.0.1"}, fail(ErrMalformed)},
		{"empty last line", proxy, []string{"203.0.113.7", ""}, fail(ErrMalformed)},
		{"unknown", proxy, []string{"203.0.113.7, unknown"}, fail(ErrMalformed)},
		{"obfuscated", proxy, []string{"203.0.113.7, _hidden"}, fail(ErrMalformed)},
		{"zone", proxy, []string{"fe80::1%eth0"}, fail(ErrMalformed)},
		{"bracketed IPv4", proxy, []string{"[203.0.113.7]:80"}, fail(ErrMalformed)},
		{"leading zero", proxy, []string{"203.0.113.007"}, fail(ErrMalformed)},
		{"non-ASCII", proxy, []string{"203.0.113.7\u00a0"}, fail(ErrMalformed)},
		{"whitespace inside", proxy, []string{"203.0.113.7 198.51.100.1"}, fail(ErrMalformed)},
		{"quoted", proxy, []string{`"203.0.113.7"`}, fail(ErrMalformed)},
		{"bad port", proxy, []string{"203.0.113.7:65536"}, fail(ErrMalformed)},
		{"unspecified", proxy, []string{"0.0.0.0"}, fail(ErrMalformed)},
		{"bad entry beyond trusted hops", proxy, []string{"203.0.113.7, junk, 10.0.0.1"}, fail(ErrMalformed)},
		{"bad entry beyond the client is never read", proxy, []string{"junk, 203.0.113.7, 10.0.0.1"}, ok("203.0.113.7")},
		{"all trusted", proxy, []string{"10.0.0.3, 10.0.0.2, 10.0.0.1"}, fail(ErrNoUntrustedHop)},
		{"all trusted over lines", proxy, []string{"10.0.0.3", "192.168.0.1"}, fail(ErrNoUntrustedHop)},
		{"long entry", proxy, []string{"203.0.113.7, " + strings.Repeat(" ", 200) + "10.0.0.1"}, fail(ErrMalformed)},
		{"long garbage left of client", proxy, []string{strings.Repeat("x", 1<<20) + ", 203.0.113.7"}, ok("203.0.113.7")},
		{"long garbage as the client", proxy, []string{strings.Repeat("1", 1<<20)}, fail(ErrMalformed)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			diff(t, tt.want, run(t, x, lines(tt.remote, "X-Forwarded-For", tt.lines...)))
		})
	}
}

func TestXForwardedForHopCap(t *testing.T) {
	x := must(XForwardedFor(trustedNets))
	hops := func(n int) string { return strings.TrimSuffix(strings.Repeat("10.0.0.1, ", n), ", ") }
	diff(t, ok("203.0.113.7"), run(t, x, newReq("10.0.0.9:1", "X-Forwarded-For", "203.0.113.7, "+hops(MaxHops-1))))
	diff(t, fail(ErrNoUntrustedHop), run(t, x, newReq("10.0.0.9:1", "X-Forwarded-For", hops(MaxHops))))
	diff(t, fail(ErrTooManyHops), run(t, x, newReq("10.0.0.9:1", "X-Forwarded-For", "203.0.113.7, "+hops(MaxHops))))
	// The same over many field lines, and a huge header costs MaxHops entries.
	many := make([]string, 100000)
	for i := range many {
		many[i] = "10.0.0.1"
	}
	diff(t, fail(ErrTooManyHops), run(t, x, lines("10.0.0.9:1", "X-Forwarded-For", many...)))
}

func TestXForwardedForCount(t *testing.T) {
	tests := []struct {
		hops   int
		remote string
		lines  []string
		want   outcome
	}{
		{1, "10.0.0.9:1", []string{"203.0.113.7"}, ok("203.0.113.7")},
		{1, "198.51.100.1:1", []string{"203.0.113.7"}, ok("203.0.113.7")}, // the peer is not consulted
		{1, "@", []string{"203.0.113.7"}, ok("203.0.113.7")},              // so unix sockets work
		{1, "10.0.0.9:1", []string{"198.51.100.1, 203.0.113.7"}, ok("203.0.113.7")},
		{2, "10.0.0.9:1", []string{"198.51.100.1, 203.0.113.7, 10.0.0.1"}, ok("203.0.113.7")},
		{2, "10.0.0.9:1", []string{"198.51.100.1, 203.0.113.7", "10.0.0.1"}, ok("203.0.113.7")},
		{2, "10.0.0.9:1", []string{"203.0.113.7, 198.51.100.1"}, ok("203.0.113.7")}, // no trust check: positional
		{2, "10.0.0.9:1", []string{"[::ffff:203.0.113.7]:1, 10.0.0.1:80"}, ok("203.0.113.7")},
		{3, "10.0.0.9:1", []string{"junk, 203.0.113.7, 10.0.0.2, 10.0.0.1"}, ok("203.0.113.7")},
		{2, "10.0.0.9:1", []string{"10.0.0.1"}, fail(ErrNoUntrustedHop)},
		{1, "10.0.0.9:1", nil, fail(ErrHeaderMissing)},
		{2, "10.0.0.9:1", []string{"203.0.113.7, unknown"}, fail(ErrMalformed)}, // every entry up to N valid
		{2, "10.0.0.9:1", []string{"203.0.113.7, "}, fail(ErrMalformed)},
		{2, "10.0.0.9:1", []string{"junk, 10.0.0.1"}, fail(ErrMalformed)},
		{1, "10.0.0.9:1", []string{""}, fail(ErrMalformed)},
	}
	for _, tt := range tests {
		x := must(XForwardedForCount(tt.hops))
		got := run(t, x, lines(tt.remote, "X-Forwarded-For", tt.lines...))
		if got != tt.want {
			t.Errorf("hops %d, peer %s, %q: got %+v, want %+v", tt.hops, tt.remote, tt.lines, got, tt.want)
		}
	}
}

func TestXForwardedForErrorDetail(t *testing.T) {
	x := must(XForwardedFor(trustedNets))
	_, err := x.ClientIP(newReq("10.0.0.9:1", "X-Forwarded-For", "203.0.113.7, 10.0.0.1:80", "X-Forwarded-For", "1.2.3.4:99999, 10.0.0.2"))
	var e *Error
	if !errors.As(err, &e) {
		t.Fatalf("got %v", err)
	}
	want := Error{Kind: ErrMalformed, Header: "X-Forwarded-For", Entry: "1.2.3.4:99999", Pos: 2, Reason: reasonPort}
	if *e != want {
		t.Errorf("got %+v, want %+v", *e, want)
	}
	const msg = `ipsource: malformed entry: X-Forwarded-For entry 2 from the right "1.2.3.4:99999": port is not 0-65535`
	if !strings.HasPrefix(e.Error(), msg) {
		t.Errorf("message %q, want prefix %q", e.Error(), msg)
	}
	// Entry text is cut to 64 bytes.
	_, err = x.ClientIP(newReq("10.0.0.9:1", "X-Forwarded-For", strings.Repeat("z", 100)))
	if !errors.As(err, &e) || len(e.Entry) != maxEntryText {
		t.Errorf("got %+v", err)
	}
}
