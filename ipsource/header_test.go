package ipsource

import (
	"errors"
	"net/http"
	"strings"
	"testing"
)

const fdid = "a0a0a0a0-bbbb-cccc-dddd-e1e1e1e1e1e1"

func TestHeader(t *testing.T) {
	plain := must(Header("X-Real-IP", trustedNets))
	afd := must(Header("X-Azure-SocketIP", trustedNets, RequireHeader("X-Azure-FDID", fdid)))
	const proxy = "10.0.0.9:5000"
	tests := []struct {
		name string
		x    Extractor
		req  *Request
		want outcome
	}{
		{"value", plain, req(proxy, "X-Real-IP", "203.0.113.7"), ok("203.0.113.7")},
		{"lower-case name on the wire", plain, req(proxy, "x-real-ip", "203.0.113.7"), ok("203.0.113.7")},
		{"OWS", plain, req(proxy, "X-Real-IP", " 203.0.113.7\t"), ok("203.0.113.7")},
		{"port", plain, req(proxy, "X-Real-IP", "203.0.113.7:80"), ok("203.0.113.7")},
		{"IPv6", plain, req(proxy, "X-Real-IP", "[2001:db8::7]:80"), ok("2001:db8::7")},
		{"mapped", plain, req(proxy, "X-Real-IP", "::ffff:203.0.113.7"), ok("203.0.113.7")},
		{"trusted value returned as written", plain, req(proxy, "X-Real-IP", "10.0.0.1"), ok("10.0.0.1")},
		{"untrusted peer", plain, req("198.51.100.1:1", "X-Real-IP", "203.0.113.7"), ok("198.51.100.1")},
		{"untrusted peer, repeated header", plain, req("198.51.100.1:1", "X-Real-IP", "1.1.1.1", "X-Real-IP", "2.2.2.2"), ok("198.51.100.1")},
		{"bad peer", plain, req("@", "X-Real-IP", "203.0.113.7"), fail(ErrNoPeer)},
		{"missing", plain, req(proxy), fail(ErrHeaderMissing)},
		{"no fallback to XFF", plain, req(proxy, "X-Forwarded-For", "203.0.113.7"), fail(ErrHeaderMissing)},
		{"two lines", plain, req(proxy, "X-Real-IP", "203.0.113.7", "X-Real-IP", "198.51.100.1"), fail(ErrHeaderRepeated)},
		{"two lines, same value", plain, req(proxy, "X-Real-IP", "203.0.113.7", "X-Real-IP", "203.0.113.7"), fail(ErrHeaderRepeated)},
		{"comma", plain, req(proxy, "X-Real-IP", "198.51.100.1, 203.0.113.7"), fail(ErrHeaderRepeated)},
		{"trailing comma", plain, req(proxy, "X-Real-IP", "203.0.113.7,"), fail(ErrHeaderRepeated)},
		{"empty", plain, req(proxy, "X-Real-IP", ""), fail(ErrMalformed)},
		{"unknown", plain, req(proxy, "X-Real-IP", "unknown"), fail(ErrMalformed)},
		{"zone", plain, req(proxy, "X-Real-IP", "fe80::1%eth0"), fail(ErrMalformed)},
		{"leading zero", plain, req(proxy, "X-Real-IP", "010.0.0.1"), fail(ErrMalformed)},
		{"unspecified", plain, req(proxy, "X-Real-IP", "::"), fail(ErrMalformed)},

		{"AFD", afd, req(proxy, "X-Azure-SocketIP", "203.0.113.7", "X-Azure-FDID", fdid), ok("203.0.113.7")},
		{"AFD lower-case companion", afd, req(proxy, "X-Azure-SocketIP", "203.0.113.7", "x-azure-fdid", fdid), ok("203.0.113.7")},
		{"AFD missing FDID", afd, req(proxy, "X-Azure-SocketIP", "203.0.113.7"), fail(ErrCompanion)},
		{"AFD other tenant's FDID", afd, req(proxy, "X-Azure-SocketIP", "203.0.113.7", "X-Azure-FDID", "ffffffff-bbbb-cccc-dddd-e1e1e1e1e1e1"), fail(ErrCompanion)},
		{"AFD FDID differs in case", afd, req(proxy, "X-Azure-SocketIP", "203.0.113.7", "X-Azure-FDID", strings.ToUpper(fdid)), fail(ErrCompanion)},
		{"AFD FDID with a suffix", afd, req(proxy, "X-Azure-SocketIP", "203.0.113.7", "X-Azure-FDID", fdid+", x"), fail(ErrCompanion)},
		{"AFD FDID twice", afd, req(proxy, "X-Azure-SocketIP", "203.0.113.7", "X-Azure-FDID", "evil", "X-Azure-FDID", fdid), fail(ErrCompanion)},
		{"AFD FDID twice, both right", afd, req(proxy, "X-Azure-SocketIP", "203.0.113.7", "X-Azure-FDID", fdid, "X-Azure-FDID", fdid), fail(ErrCompanion)},
		{"AFD FDID right, no address", afd, req(proxy, "X-Azure-FDID", fdid), fail(ErrHeaderMissing)},
		{"AFD direct peer needs no FDID", afd, req("198.51.100.1:1"), ok("198.51.100.1")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			diff(t, tt.want, run(t, tt.x, tt.req.r))
		})
	}
}

// Request wraps a request so that test tables read well.
type Request struct{ r *http.Request }

func req(remote string, kv ...string) *Request { return &Request{newReq(remote, kv...)} }

func TestHeaderConfigErrors(t *testing.T) {
	tests := []struct {
		name string
		hdr  string
		opts []HeaderOption
		msg  string
	}{
		{"empty name", "", nil, "header name is empty"},
		{"space", "X-Real IP", nil, "not allowed in a header name"},
		{"colon", "X-Real-IP:", nil, "not allowed"},
		{"non-ASCII", "X-Réal-IP", nil, "not allowed"},
		{"underscore", "X_Real_IP", nil, "holds '_'"},
		{"XFF", "X-Forwarded-For", nil, "use XForwardedFor(trusted)"},
		{"XFF lower", "x-forwarded-for", nil, "use XForwardedFor(trusted)"},
		{"Forwarded", "forwarded", nil, "use Forwarded(trusted)"},
		{"X-Azure-ClientIP", "X-Azure-ClientIP", nil, "use X-Azure-SocketIP"},
		{"nil option", "X-Real-IP", []HeaderOption{nil}, "option 0 is nil"},
		{"companion name", "X-Real-IP", []HeaderOption{RequireHeader("X Id", "1")}, "RequireHeader: invalid configuration"},
		{"companion underscore", "X-Real-IP", []HeaderOption{RequireHeader("X_Id", "1")}, "holds '_'"},
		{"companion is the header", "X-Real-IP", []HeaderOption{RequireHeader("x-real-ip", "1")}, "address header itself"},
		{"companion empty value", "X-Real-IP", []HeaderOption{RequireHeader("X-Id", "")}, "is empty"},
		{"companion leading space", "X-Real-IP", []HeaderOption{RequireHeader("X-Id", " 1")}, "whitespace"},
		{"companion trailing tab", "X-Real-IP", []HeaderOption{RequireHeader("X-Id", "1\t")}, "whitespace"},
		{"companion control", "X-Real-IP", []HeaderOption{RequireHeader("X-Id", "1\r\n2")}, "control byte"},
		{"companion twice", "X-Real-IP", []HeaderOption{RequireHeader("X-Id", "1"), RequireHeader("x-id", "2")}, "required twice"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			x, err := Header(tt.hdr, trustedNets, tt.opts...)
			if x != nil || !errors.Is(err, ErrInvalidConfig) || !strings.Contains(err.Error(), tt.msg) {
				t.Fatalf("got %v, %v; want ErrInvalidConfig with %q", x, err, tt.msg)
			}
		})
	}
	for _, name := range []string{"X-Real-IP", "CF-Connecting-IP", "True-Client-IP", "X-Azure-SocketIP", "X-Envoy-External-Address", "fly-client-ip"} {
		if _, err := Header(name, trustedNets); err != nil {
			t.Errorf("Header(%q): %v", name, err)
		}
	}
	if _, err := Header("X-Real-IP", trustedNets, RequireHeader("X-Secret", "a b\tc")); err != nil {
		t.Errorf("inner whitespace in a companion value: %v", err)
	}
}

func TestHeaderErrorDetail(t *testing.T) {
	x := must(Header("X-Azure-SocketIP", trustedNets, RequireHeader("X-Azure-FDID", fdid)))
	_, err := x.ClientIP(newReq("10.0.0.9:1", "X-Azure-SocketIP", "203.0.113.7", "X-Azure-FDID", "evil"))
	var e *Error
	if !errors.As(err, &e) || e.Header != "X-Azure-Fdid" || e.Entry != "evil" || e.Kind != ErrCompanion {
		t.Fatalf("got %#v", err)
	}
	if strings.Contains(e.Error(), fdid) {
		t.Errorf("message %q reveals the required value", e.Error())
	}
}
