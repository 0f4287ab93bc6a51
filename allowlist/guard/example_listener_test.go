package guard_test

import (
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"net/netip"
	"time"

	"github.com/ipallow/ipallow/allowlist/guard"
)

func ExampleListener() {
	holder := guard.NewHolder(mustResolve("127.0.0.1/32"))
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		log.Fatal(err)
	}
	refused := make(chan error, 1)
	guarded := guard.Listener(ln, holder, guard.WithRefusedHook(func(peer netip.AddrPort, reason error) {
		select {
		case refused <- reason:
		default:
		}
	}))

	// Any server that takes a net.Listener: http.Server.Serve,
	// grpc.Server.Serve, or a loop of its own.
	srv := &http.Server{
		Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			fmt.Fprintln(w, "hello")
		}),
		ReadHeaderTimeout: 5 * time.Second,
	}
	go srv.Serve(guarded)
	defer srv.Close()

	client := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}}
	get := func() {
		res, err := client.Get("http://" + ln.Addr().String() + "/")
		if err != nil {
			fmt.Println("connection closed; not listed:", errors.Is(<-refused, guard.ErrPeerNotListed))
			return
		}
		defer res.Body.Close()
		body, _ := io.ReadAll(res.Body)
		fmt.Printf("%d %s", res.StatusCode, body)
	}
	get()
	holder.Store(mustResolve("192.0.2.0/24")) // 127.0.0.1 is no longer listed
	get()
	// Output:
	// 200 hello
	// connection closed; not listed: true
}
