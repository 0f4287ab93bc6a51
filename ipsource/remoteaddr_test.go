package ipsource

import (
	"errors"
	"strings"
	"testing"
)

func TestRemoteAddr(t *testing.T) {
	tests := []struct {
		remote string
		want   outcome
	}{
		{"203.0.113.7:443", ok("203.0.113.7")},
		{"203.0.113.7:0", ok("203.0.113.7")},
		{"[2001:db8::1]:443", ok("2001:db8::1")},
		{"[::ffff:203.0.113.7]:443", ok("203.0.113.7")},        // unmapped
		{"[64:ff9b::cb00:7107]:443", ok("64:ff9b::cb00:7107")}, // NAT64 stays IPv6
		{"[::cb00:7107]:443", ok("::cb00:7107")},               // IPv4-compatible stays IPv6
		{"[2002:cb00:7107::1]:443", ok("2002:cb00:7107::1")},   // 6to4 stays IPv6
		{"[fe80::1%eth0]:443", ok("fe80::1")},                  // zone dropped
		{"[fe80::1%25eth0]:443", ok("fe80::1")},
		{"[::1]:80", ok("::1")},
		{"127.0.0.1:80", ok("127.0.0.1")},
		{"", fail(ErrNoPeer)},
		{"@", fail(ErrNoPeer)},
		{"/run/app.sock", fail(ErrNoPeer)},
		{"203.0.113.7", fail(ErrNoPeer)}, // no port: rewritten by middleware
		{"2001:db8::1", fail(ErrNoPeer)},
		{"2001:db8::1:443", fail(ErrNoPeer)}, // unbracketed IPv6 with "port"
		{"[203.0.113.7]:443", fail(ErrNoPeer)},
		{"203.0.113.7:", fail(ErrNoPeer)},
		{"203.0.113.7:99999", fail(ErrNoPeer)},
		{"203.0.113.7:http", fail(ErrNoPeer)},
		{"203.0.113.7:+80", fail(ErrNoPeer)},
		{"0.0.0.0:80", fail(ErrNoPeer)},
		{"[::]:80", fail(ErrNoPeer)},
		{"[::ffff:0.0.0.0]:80", fail(ErrNoPeer)},
		{"010.0.0.1:80", fail(ErrNoPeer)},
		{"[fe80::1%]:80", fail(ErrNoPeer)},
		{"[fe80::1%\x00]:80", fail(ErrNoPeer)},
		{" 203.0.113.7:80", fail(ErrNoPeer)},
		{"localhost:80", fail(ErrNoPeer)},
	}
	for _, tt := range tests {
		t.Run(tt.remote, func(t *testing.T) {
			diff(t, tt.want, run(t, RemoteAddr(), newReq(tt.remote)))
		})
	}
}

// RemoteAddr never reads a header, whatever it holds.
func TestRemoteAddrIgnoresHeaders(t *testing.T) {
	r := newReq("203.0.113.7:1", "X-Forwarded-For", "10.0.0.1", "X-Real-IP", "10.0.0.1", "Forwarded", "for=10.0.0.1")
	diff(t, ok("203.0.113.7"), run(t, RemoteAddr(), r))
}

func TestPeerErrorMessages(t *testing.T) {
	tests := []struct{ remote, reason string }{
		{"", "empty"},
		{"@", "unix socket"},
		{"/tmp/s", "unix socket"},
		{"1.2.3.4", "without a port"},
		{"[1.2.3.4]:80", "brackets around an IPv4"},
		{"0.0.0.0:1", "unspecified"},
		{"junk", "not ip:port"},
	}
	for _, tt := range tests {
		_, err := RemoteAddr().ClientIP(newReq(tt.remote))
		var e *Error
		if !errors.As(err, &e) || e.Kind != ErrNoPeer || e.Header != "" || e.Entry != tt.remote {
			t.Errorf("%q: got %#v", tt.remote, err)
			continue
		}
		if !strings.Contains(err.Error(), tt.reason) || !strings.Contains(err.Error(), "RemoteAddr") {
			t.Errorf("%q: message %q lacks %q", tt.remote, err.Error(), tt.reason)
		}
	}
}
