package guard_test

import (
	"errors"
	"fmt"
	"log"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"

	"github.com/ipallow/ipallow/allowlist"
	"github.com/ipallow/ipallow/allowlist/guard"
	"github.com/ipallow/ipallow/ipsource"
)

// mustResolve parses and resolves a range list for the examples.
func mustResolve(s string) *allowlist.Set {
	l, err := allowlist.Parse(s, allowlist.Policy{})
	if err != nil {
		log.Fatal(err)
	}
	set, err := allowlist.Resolver{}.Resolve(l)
	if err != nil {
		log.Fatal(err)
	}
	return set
}

// get sends a GET request from client to h and prints the answer.
func get(h http.Handler, client string) {
	r := httptest.NewRequest("GET", "/", nil)
	r.RemoteAddr = client
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	fmt.Printf("%s: %d %s", client, w.Code, w.Body)
}

func ExampleMiddleware() {
	list, err := allowlist.Parse("203.0.113.0/24, 2001:db8::/32", allowlist.Policy{})
	if err != nil {
		log.Fatal(err)
	}
	set, err := allowlist.Resolver{}.Resolve(list)
	if err != nil {
		log.Fatal(err)
	}
	holder := guard.NewHolder(set)

	api := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintln(w, "hello")
	})
	handler := guard.Middleware(holder, ipsource.RemoteAddr())(api)
	// http.ListenAndServe(":8080", handler)

	get(handler, "203.0.113.7:50123")
	get(handler, "[2001:db8::1]:50123")
	get(handler, "198.51.100.1:50123")
	// Output:
	// 203.0.113.7:50123: 200 hello
	// [2001:db8::1]:50123: 200 hello
	// 198.51.100.1:50123: 403 forbidden
}

func ExampleHolder() {
	holder := guard.NewHolder(mustResolve("203.0.113.0/24"))
	handler := guard.Middleware(holder, ipsource.RemoteAddr())(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintln(w, "hello")
	}))
	get(handler, "198.51.100.1:1")

	// Swap in a new list while the server runs: the next request sees it.
	next := mustResolve("203.0.113.0/25, 198.51.100.0/24")
	old := holder.Swap(next)
	change := allowlist.Diff(old, next)
	fmt.Println("gained:", change.Gained, "lost:", change.Lost)
	get(handler, "198.51.100.1:1")
	get(handler, "203.0.113.200:1")
	// Output:
	// 198.51.100.1:1: 403 forbidden
	// gained: [198.51.100.0/24] lost: [203.0.113.128/25]
	// 198.51.100.1:1: 200 hello
	// 203.0.113.200:1: 403 forbidden
}

func ExampleDecisionFrom() {
	holder := guard.NewHolder(mustResolve("192.0.2.0/24, 203.0.113.0/24"))
	api := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		d, _ := guard.DecisionFrom(r.Context())
		fmt.Fprintf(w, "hello %s, allowed by %s\n", d.Client, d.Rule)
	})
	handler := guard.Middleware(holder, ipsource.RemoteAddr(), guard.WithDecisionInContext())(api)
	get(handler, "203.0.113.7:50123")
	// Output:
	// 203.0.113.7:50123: 200 hello 203.0.113.7, allowed by entry 1 203.0.113.0/24
}

func ExampleLogDecisions() {
	// A logger without time stamps, so that the output is stable.
	logger := slog.New(slog.NewTextHandler(os.Stdout, &slog.HandlerOptions{
		Level: slog.LevelDebug,
		ReplaceAttr: func(groups []string, a slog.Attr) slog.Attr {
			if a.Key == slog.TimeKey && len(groups) == 0 {
				return slog.Attr{}
			}
			return a
		},
	}))
	holder := guard.NewHolder(mustResolve("203.0.113.0/24"))
	handler := guard.Middleware(holder, ipsource.RemoteAddr(),
		guard.WithDecisionHook(guard.LogDecisions(logger)))(http.NotFoundHandler())

	for _, client := range []string{"203.0.113.7:1", "198.51.100.1:1"} {
		r := httptest.NewRequest("GET", "/api", nil)
		r.RemoteAddr = client
		handler.ServeHTTP(httptest.NewRecorder(), r)
	}
	// Output:
	// level=DEBUG msg="allowlist: allowed" client=203.0.113.7 allowed=true rule="entry 0 203.0.113.0/24" method=GET path=/api
	// level=INFO msg="allowlist: refused" client=198.51.100.1 allowed=false method=GET path=/api
}

func ExampleFileWatcher() {
	dir, err := os.MkdirTemp("", "example")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "authorized-ip-ranges")
	os.WriteFile(path, []byte("20.0.0.0/16\n"), 0o644)

	holder := new(guard.Holder) // refuses everyone until the file is loaded
	w := &guard.FileWatcher{
		Path:   path,
		Build:  guard.RangeFileBuilder(allowlist.AKS, allowlist.Resolver{}),
		Holder: holder,
		OnReload: func(e guard.ReloadEvent) {
			if e.Err != nil {
				fmt.Println("not applied; not global:", errors.Is(e.Err, allowlist.ErrNotGlobal))
				return
			}
			fmt.Println("applied: gained", e.Change.Gained, "lost", e.Change.Lost)
		},
	}
	// In a program: check the first load, then keep watching.
	//
	//	if err := w.Reload(); err != nil { log.Fatal(err) }
	//	go w.Run(ctx)
	w.Reload()
	os.WriteFile(path, []byte("20.0.0.0/16,10.0.0.0/8\n"), 0o644) // not global: rejected by AKS
	w.Reload()
	os.WriteFile(path, []byte("20.0.0.0/17\n"), 0o644)
	w.Reload()
	// Output:
	// applied: gained [20.0.0.0/16] lost []
	// not applied; not global: true
	// applied: gained [] lost [20.0.128.0/17]
}
