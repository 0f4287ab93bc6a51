// Command middleware is the smallest service guarded by an allowlist: the
// program that the README shows, kept here so that it always compiles.
package main

import (
	"log"
	"log/slog"
	"net/http"

	"github.com/ipallow/ipallow/allowlist"
	"github.com/ipallow/ipallow/allowlist/guard"
	"github.com/ipallow/ipallow/ipsource"
)

func main() {
	list, err := allowlist.Parse("203.0.113.0/24, 2001:db8::/32", allowlist.Policy{})
	if err != nil {
		log.Fatal(err) // every problem of the list, each with its fix
	}
	set, err := allowlist.Resolver{}.Resolve(list)
	if err != nil {
		log.Fatal(err)
	}
	holder := guard.NewHolder(set) // holder.Store(newSet) swaps the list at run time
	mw := guard.Middleware(holder, ipsource.RemoteAddr(),
		guard.WithDecisionHook(guard.LogDecisions(slog.Default())))

	api := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte("hello\n"))
	})
	log.Fatal(http.ListenAndServe("127.0.0.1:8080", mw(api)))
}
