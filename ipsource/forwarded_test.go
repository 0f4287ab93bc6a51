package ipsource

import (
	"errors"
	"strings"
	"testing"
)

func TestForwarded(t *testing.T) {
	x := must(Forwarded(trustedNets))
	const proxy = "10.0.0.9:5000"
	tests := []struct {
		name   string
		remote string
		lines  []string
		want   outcome
	}{
		{"untrusted peer is the client", "198.51.100.1:1", []string{"for=203.0.113.7"}, ok("198.51.100.1")},
		{"untrusted peer, broken header", "198.51.100.1:1", []string{`for="`}, ok("198.51.100.1")},
		{"bad peer", "", []string{"for=203.0.113.7"}, fail(ErrNoPeer)},

		{"RFC 7239 example 1", proxy, []string{`for="_gazonk"`}, fail(ErrMalformed)},
		{"RFC 7239 example 2", proxy, []string{`For="[2001:db8:cafe::17]:4711"`}, ok("2001:db8:cafe::17")},
		{"RFC 7239 example 3", proxy, []string{`for=192.0.2.60;proto=http;by=203.0.113.43`}, ok("192.0.2.60")},
		{"RFC 7239 example 4", proxy, []string{`for=192.0.2.43, for=198.51.100.17`}, ok("198.51.100.17")},
		{"trusted hops skipped", proxy, []string{`for=198.51.100.1, for=203.0.113.7;proto=https, for=10.0.0.1;by=10.0.0.9`}, ok("203.0.113.7")},
		{"lines merged", proxy, []string{`for=198.51.100.1`, `for=203.0.113.7`, `for=10.0.0.1`}, ok("203.0.113.7")},
		{"quoted IPv4", proxy, []string{`for="203.0.113.7"`}, ok("203.0.113.7")},
		{"quoted IPv4 with port", proxy, []string{`for="203.0.113.7:8080"`}, ok("203.0.113.7")},
		{"obfuscated port", proxy, []string{`for="203.0.113.7:_p-1.x"`, `for="[2001:db8::1]:_abc"`}, ok("2001:db8::1")},
		{"bracketed IPv6 without port", proxy, []string{`for="[2001:db8::1]"`}, ok("2001:db8::1")},
		{"case-insensitive names", proxy, []string{`FOR=203.0.113.7;PROTO=http`}, ok("203.0.113.7")},
		{"other params ignored", proxy, []string{`by=198.51.100.1;for=203.0.113.7;host="a,b";proto=https`}, ok("203.0.113.7")},
		{"extension param", proxy, []string{`for=203.0.113.7;ext="x\"y"`}, ok("203.0.113.7")},
		{"comma inside quotes", proxy, []string{`for=203.0.113.7;host="a, for=198.51.100.1"`}, ok("203.0.113.7")},
		{"empty pairs", proxy, []string{`;for=203.0.113.7;;`}, ok("203.0.113.7")},
		{"OWS around commas", proxy, []string{" for=198.51.100.1 \t,\tfor=203.0.113.7 "}, ok("203.0.113.7")},
		{"mapped unmapped", proxy, []string{`for="[::ffff:203.0.113.7]"`}, ok("203.0.113.7")},
		{"mapped trusted skipped", proxy, []string{`for=203.0.113.7, for="[::ffff:10.0.0.1]:80"`}, ok("203.0.113.7")},
		{"utf-8 in another quoted value", proxy, []string{"for=203.0.113.7;host=\"\u00e9\""}, ok("203.0.113.7")},

		{"missing header", proxy, nil, fail(ErrHeaderMissing)},
		{"empty line", proxy, []string{""}, fail(ErrMalformed)},
		{"empty element at decision point", proxy, []string{"for=203.0.113.7, "}, fail(ErrMalformed)},
		{"no for", proxy, []string{"for=203.0.113.7, proto=https"}, fail(ErrMalformed)},
		{"repeated for", proxy, []string{"for=203.0.113.7;for=198.51.100.1"}, fail(ErrMalformed)},
		{"repeated for, case", proxy, []string{"for=203.0.113.7;For=198.51.100.1"}, fail(ErrMalformed)},
		{"repeated other param", proxy, []string{"for=203.0.113.7;proto=http;Proto=https"}, fail(ErrMalformed)},
		{"too many params", proxy, []string{"for=203.0.113.7" + strings.Repeat(";a=b", 16)}, fail(ErrMalformed)},
		{"16 params fine", proxy, []string{"for=203.0.113.7;a0=1;a1=1;a2=1;a3=1;a4=1;a5=1;a6=1;a7=1;a8=1;a9=1;b0=1;b1=1;b2=1;b3=1;b4=1"}, ok("203.0.113.7")},
		{"unknown", proxy, []string{"for=unknown"}, fail(ErrMalformed)},
		{"unknown quoted", proxy, []string{`for="UNKNOWN"`}, fail(ErrMalformed)},
		{"obfuscated", proxy, []string{"for=_hidden"}, fail(ErrMalformed)},
		{"quoted-pair in node", proxy, []string{`for="203.0.113\.7"`}, fail(ErrMalformed)},
		{"bare IPv6 quoted", proxy, []string{`for="2001:db8::1"`}, fail(ErrMalformed)},
		{"zone", proxy, []string{`for="[fe80::1%eth0]"`}, fail(ErrMalformed)},
		{"bracketed IPv4", proxy, []string{`for="[203.0.113.7]"`}, fail(ErrMalformed)},
		{"leading zero", proxy, []string{`for=203.0.113.07`}, fail(ErrMalformed)},
		{"bad port", proxy, []string{`for="203.0.113.7:99999"`}, fail(ErrMalformed)},
		{"bad obfport", proxy, []string{`for="203.0.113.7:_"`}, fail(ErrMalformed)},
		{"empty for", proxy, []string{`for=""`}, fail(ErrMalformed)},
		{"non-ASCII node", proxy, []string{"for=\"203.0.113.7\u00a0\""}, fail(ErrMalformed)},
		{"invalid element beyond the client is never read", proxy, []string{"proto=http, for=203.0.113.7"}, ok("203.0.113.7")},
		{"invalid element beyond trusted hops", proxy, []string{"for=203.0.113.7, for=unknown, for=10.0.0.1"}, fail(ErrMalformed)},
		{"all trusted", proxy, []string{"for=10.0.0.1, for=192.168.0.1"}, fail(ErrNoUntrustedHop)},

		// Syntax errors reject the whole field, wherever they are.
		{"syntax: unterminated quote on the left", proxy, []string{`for="198.51.100.1, for=203.0.113.7`}, fail(ErrMalformed)},
		{"syntax: unterminated quote, own line", proxy, []string{`for="198.51.100.1`, `for=203.0.113.7`}, fail(ErrMalformed)},
		{"syntax: space before =", proxy, []string{`for =203.0.113.7`}, fail(ErrMalformed)},
		{"syntax: space after =", proxy, []string{`for= 203.0.113.7`}, fail(ErrMalformed)},
		{"syntax: space after ;", proxy, []string{`for=203.0.113.7; proto=http`}, fail(ErrMalformed)},
		{"syntax: space before ;", proxy, []string{`for=203.0.113.7 ;proto=http`}, fail(ErrMalformed)},
		{"syntax: unquoted port", proxy, []string{`for=203.0.113.7:80`}, fail(ErrMalformed)},
		{"syntax: unquoted IPv6", proxy, []string{`for=[2001:db8::1]`}, fail(ErrMalformed)},
		{"syntax: no =", proxy, []string{`for`}, fail(ErrMalformed)},
		{"syntax: no value", proxy, []string{`for=;proto=http`}, fail(ErrMalformed)},
		{"syntax: left junk", proxy, []string{`garbage here, for=203.0.113.7`}, fail(ErrMalformed)},
		{"syntax: junk after quote", proxy, []string{`for="203.0.113.7"x`}, fail(ErrMalformed)},
		{"syntax: control in quotes", proxy, []string{"for=\"203.0.113.7\x01\""}, fail(ErrMalformed)},
		{"syntax: backslash at end", proxy, []string{`for="203.0.113.7\`}, fail(ErrMalformed)},
		{"syntax: non-ASCII token", proxy, []string{"for=203.0.113.7\u00a0"}, fail(ErrMalformed)},
		{"too long", proxy, []string{strings.Repeat("a=b;", 5000) + "for=203.0.113.7"}, fail(ErrMalformed)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			diff(t, tt.want, run(t, x, lines(tt.remote, "Forwarded", tt.lines...)))
		})
	}
}

func TestForwardedHopCap(t *testing.T) {
	x := must(Forwarded(trustedNets))
	hops := func(n int) string { return strings.TrimSuffix(strings.Repeat("for=10.0.0.1, ", n), ", ") }
	diff(t, ok("203.0.113.7"), run(t, x, newReq("10.0.0.9:1", "Forwarded", "for=203.0.113.7, "+hops(MaxHops-1))))
	diff(t, fail(ErrNoUntrustedHop), run(t, x, newReq("10.0.0.9:1", "Forwarded", hops(MaxHops))))
	diff(t, fail(ErrTooManyHops), run(t, x, newReq("10.0.0.9:1", "Forwarded", "for=203.0.113.7, "+hops(MaxHops))))
}

func TestForwardedCount(t *testing.T) {
	tests := []struct {
		hops  int
		lines []string
		want  outcome
	}{
		{1, []string{"for=203.0.113.7"}, ok("203.0.113.7")},
		{1, []string{"for=198.51.100.1, for=203.0.113.7"}, ok("203.0.113.7")},
		{2, []string{"for=198.51.100.1, for=203.0.113.7", "for=10.0.0.1"}, ok("203.0.113.7")},
		{3, []string{"proto=http, for=203.0.113.7, for=10.0.0.2, for=10.0.0.1"}, ok("203.0.113.7")},
		{2, []string{"for=203.0.113.7, for=unknown"}, fail(ErrMalformed)},
		{2, []string{"for=10.0.0.1"}, fail(ErrNoUntrustedHop)},
		{1, nil, fail(ErrHeaderMissing)},
		{1, []string{`for="`, "for=203.0.113.7"}, fail(ErrMalformed)},
	}
	for _, tt := range tests {
		x := must(ForwardedCount(tt.hops))
		got := run(t, x, lines("198.51.100.99:1", "Forwarded", tt.lines...))
		if got != tt.want {
			t.Errorf("hops %d, %q: got %+v, want %+v", tt.hops, tt.lines, got, tt.want)
		}
	}
}

func TestForwardedErrorDetail(t *testing.T) {
	x := must(Forwarded(trustedNets))
	tests := []struct {
		line string
		want Error
	}{
		{"for=203.0.113.7, for=unknown;proto=http, for=10.0.0.1",
			Error{Kind: ErrMalformed, Header: "Forwarded", Entry: "unknown", Pos: 2, Reason: reasonUnknown}},
		{"for=203.0.113.7;for=1.2.3.4, for=10.0.0.1",
			Error{Kind: ErrMalformed, Header: "Forwarded", Entry: "for=203.0.113.7;for=1.2.3.4", Pos: 2, Reason: reasonRepeated}},
		{`for=203.0.113.7, for="x`,
			Error{Kind: ErrMalformed, Header: "Forwarded", Entry: `"x`, Reason: "syntax error: unterminated quoted string"}},
	}
	for _, tt := range tests {
		_, err := x.ClientIP(newReq("10.0.0.9:1", "Forwarded", tt.line))
		var e *Error
		if !errors.As(err, &e) || *e != tt.want {
			t.Errorf("%q: got %#v, want %+v", tt.line, err, tt.want)
		}
	}
}
