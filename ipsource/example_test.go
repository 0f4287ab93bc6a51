package ipsource_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"time"

	"github.com/ipallow/ipallow/ipsource"
)

// With no proxy in front, the TCP peer is the client; headers are ignored.
func ExampleRemoteAddr() {
	src := ipsource.RemoteAddr()

	r := httptest.NewRequest("GET", "/", nil)
	r.RemoteAddr = "[::ffff:203.0.113.7]:50123" // an IPv4 client on a dual-stack socket
	r.Header.Set("X-Forwarded-For", "10.0.0.1")
	fmt.Println(src.ClientIP(r))

	r.RemoteAddr = "@" // a unix socket has no address
	_, err := src.ClientIP(r)
	fmt.Println(errors.Is(err, ipsource.ErrNoPeer))
	// Output:
	// 203.0.113.7 <nil>
	// true
}

// Behind Azure Application Gateway, whose instances live in 10.1.0.0/24 and
// append "client:port" to X-Forwarded-For.
func ExampleXForwardedFor() {
	src, err := ipsource.XForwardedFor([]netip.Prefix{netip.MustParsePrefix("10.1.0.0/24")})
	if err != nil {
		panic(err)
	}

	r := httptest.NewRequest("GET", "/", nil)
	r.RemoteAddr = "10.1.0.5:41000" // an Application Gateway instance
	r.Header.Set("X-Forwarded-For", "1.2.3.4, 203.0.113.7:50123")
	fmt.Println(src.ClientIP(r)) // 1.2.3.4 was written by the client itself

	r.RemoteAddr = "198.51.100.9:41000" // not the gateway: the peer is the client
	fmt.Println(src.ClientIP(r))

	r.RemoteAddr = "10.1.0.5:41000"
	r.Header.Set("X-Forwarded-For", "203.0.113.7, unknown")
	_, err = src.ClientIP(r)
	fmt.Println(err)
	// Output:
	// 203.0.113.7 <nil>
	// 198.51.100.9 <nil>
	// ipsource: malformed entry: X-Forwarded-For entry 1 from the right "unknown": "unknown" (the entry must be IPv4, IPv4:port, IPv6, [IPv6] or [IPv6]:port)
}

// Behind Azure Front Door: trust its backend ranges (service tag
// AzureFrontDoor.Backend, shortened here) only for requests that carry your
// profile's X-Azure-FDID, since every Front Door customer shares the ranges.
func ExampleHeader() {
	afdBackend := []netip.Prefix{netip.MustParsePrefix("147.243.0.0/16")}
	const frontDoorID = "a0a0a0a0-bbbb-cccc-dddd-e1e1e1e1e1e1"
	src, err := ipsource.Header("X-Azure-SocketIP", afdBackend,
		ipsource.RequireHeader("X-Azure-FDID", frontDoorID))
	if err != nil {
		panic(err)
	}

	r := httptest.NewRequest("GET", "/", nil)
	r.RemoteAddr = "147.243.12.34:443"
	r.Header.Set("X-Azure-SocketIP", "203.0.113.7")
	r.Header.Set("X-Azure-FDID", frontDoorID)
	fmt.Println(src.ClientIP(r))

	r.Header.Set("X-Azure-FDID", "99999999-0000-0000-0000-000000000000") // another tenant's profile
	_, err = src.ClientIP(r)
	fmt.Println(errors.Is(err, ipsource.ErrCompanion))
	// Output:
	// 203.0.113.7 <nil>
	// true
}

// RFC 7239 Forwarded: IPv6 nodes are quoted and bracketed.
func ExampleForwarded() {
	src, err := ipsource.Forwarded([]netip.Prefix{netip.MustParsePrefix("10.0.0.0/8")})
	if err != nil {
		panic(err)
	}
	r := httptest.NewRequest("GET", "/", nil)
	r.RemoteAddr = "10.0.0.2:8080"
	r.Header.Add("Forwarded", `for=192.0.2.43, for="[2001:db8:cafe::17]:4711";proto=https`)
	r.Header.Add("Forwarded", `for=10.0.0.1;by=10.0.0.2`)
	fmt.Println(src.ClientIP(r))
	// Output:
	// 2001:db8:cafe::17 <nil>
}

// Every request-time error is an *Error with a kind for errors.Is, the
// header and entry at fault, and a message that says how to fix it.
func ExampleError() {
	src, _ := ipsource.XForwardedFor([]netip.Prefix{netip.MustParsePrefix("10.0.0.0/8")})
	r := httptest.NewRequest("GET", "/", nil)
	r.RemoteAddr = "10.0.0.2:8080"
	r.Header.Set("X-Forwarded-For", "10.9.9.9, 10.0.0.1")

	_, err := src.ClientIP(r)
	var e *ipsource.Error
	if errors.As(err, &e) {
		fmt.Println(errors.Is(err, ipsource.ErrNoUntrustedHop), e.Header)
	}
	// Output:
	// true X-Forwarded-For
}

// ProxyListener in front of an http.Server, behind a load balancer at
// 127.0.0.1 that sends the PROXY protocol. The client here plays the load
// balancer and writes the header itself.
func ExampleProxyListener() {
	base, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		panic(err)
	}
	loadBalancers := []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")}
	ln, err := ipsource.ProxyListener(base, loadBalancers,
		ipsource.WithProxyHook(func(peer netip.AddrPort, err error) {
			log.Printf("closed a connection from %v: %v", peer, err)
		}))
	if err != nil {
		panic(err)
	}

	src := ipsource.RemoteAddr() // the PROXY source is the connection's peer
	srv := &http.Server{
		ReadHeaderTimeout: 10 * time.Second,
		ConnContext:       ipsource.ProxyConnContext,
		Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			ip, err := src.ClientIP(r)
			if err != nil {
				http.Error(w, "forbidden", http.StatusForbidden)
				return
			}
			h, _ := ipsource.ProxyHeaderFromContext(r.Context())
			fmt.Fprintf(w, "client %v, PROXY v%d\n", ip, h.Version())
		}),
	}
	go srv.Serve(ln)
	defer srv.Close()

	lb := &http.Transport{DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
		c, err := new(net.Dialer).DialContext(ctx, network, addr)
		if err == nil {
			_, err = io.WriteString(c, "PROXY TCP4 203.0.113.7 192.0.2.10 50123 443\r\n")
		}
		return c, err
	}}
	defer lb.CloseIdleConnections()
	resp, err := (&http.Client{Transport: lb}).Get("http://" + base.Addr().String() + "/")
	if err != nil {
		panic(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	fmt.Print(string(body))
	// Output:
	// client 203.0.113.7, PROXY v1
}
