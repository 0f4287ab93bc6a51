package guard

import (
	"net/http"
	"net/netip"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/ipallow/ipallow/allowlist"
)

// resolveList parses and resolves a list with the zero Resolver.
func resolveList(t testing.TB, s string) *allowlist.Set {
	t.Helper()
	return resolveWith(t, s, nil)
}

// swapUntil stores sets in h in turn until stop is closed.
func swapUntil(stop <-chan struct{}, wg *sync.WaitGroup, h *Holder, sets ...*allowlist.Set) {
	defer wg.Done()
	for i := 0; ; i++ {
		select {
		case <-stop:
			return
		default:
		}
		h.Store(sets[i%len(sets)])
		runtime.Gosched()
	}
}

// TestShadowScripted runs a fixed sequence of clients through a middleware
// whose shadow list differs from the list in force in both directions, and
// checks every Decision's shadow verdict and the exact counts, with and
// without a hook (the counting fast path).
func TestShadowScripted(t *testing.T) {
	enforced := resolveList(t, "10.0.0.0/24,10.1.0.0/24")
	candidate := resolveList(t, "10.0.0.0/24,10.2.0.0/24")
	entry := func(i int, p string) allowlist.Rule {
		return allowlist.Rule{Source: allowlist.FromEntry, Index: i, Prefix: netip.MustParsePrefix(p)}
	}
	addr := netip.MustParseAddr
	type step struct {
		remote string
		want   Decision
	}
	both := step{"10.0.0.5:1", Decision{Client: addr("10.0.0.5"), Allowed: true, Rule: entry(0, "10.0.0.0/24"), Shadow: ShadowAgrees}}
	onlyA := step{"10.1.0.5:1", Decision{Client: addr("10.1.0.5"), Allowed: true, Rule: entry(1, "10.1.0.0/24"), Shadow: ShadowWouldRefuse}}
	onlyB := step{"10.2.0.5:1", Decision{Client: addr("10.2.0.5"), Shadow: ShadowWouldAllow, ShadowRule: entry(1, "10.2.0.0/24")}}
	neither := step{"10.3.0.5:1", Decision{Client: addr("10.3.0.5"), Shadow: ShadowAgrees}}
	junk := step{"junk", Decision{Err: errBadPeer}}
	script := []step{both, onlyA, onlyB, onlyB, neither, onlyA, junk, onlyB, both, onlyA, onlyB}
	const wouldAllow, wouldRefuse = 4, 3

	for _, withHook := range []bool{false, true} {
		m := new(Metrics)
		var got []Decision
		opts := []Option{WithShadow(NewHolder(candidate)), WithMetrics(m)}
		if withHook {
			opts = append(opts, WithDecisionHook(func(_ *http.Request, d Decision) { got = append(got, d) }))
		}
		h := Middleware(NewHolder(enforced), peerExtractor{}, opts...)(okHandler)
		var want []Decision
		for _, s := range script {
			w := serve(h, s.remote)
			if wantCode := map[bool]int{true: 200, false: 403}[s.want.Allowed]; w.Code != wantCode {
				t.Errorf("%s: got %d, want %d: the shadow list must not change the answer", s.remote, w.Code, wantCode)
			}
			want = append(want, s.want)
		}
		if withHook {
			if diff := cmp.Diff(want, got, addrCmp); diff != "" {
				t.Errorf("Decisions (-want +got):\n%s", diff)
			}
		}
		c := m.Snapshot()
		if c.ShadowWouldAllow != wouldAllow || c.ShadowWouldRefuse != wouldRefuse {
			t.Errorf("hook %v: shadow counts would allow %d, would refuse %d; want %d, %d", withHook, c.ShadowWouldAllow, c.ShadowWouldRefuse, wouldAllow, wouldRefuse)
		}
		if n := c.Requests(); n != uint64(len(script)) {
			t.Errorf("hook %v: %d requests counted, want %d", withHook, n, len(script))
		}
	}
}

// TestShadowOff: a shadow Holder without a Set compares nothing, and
// storing a Set in it turns the comparison on.
func TestShadowOff(t *testing.T) {
	shadow := new(Holder)
	m := new(Metrics)
	var last Decision
	h := Middleware(NewHolder(resolveList(t, "10.0.0.0/24")), peerExtractor{}, WithShadow(shadow), WithShadow(nil), WithMetrics(m),
		WithDecisionHook(func(_ *http.Request, d Decision) { last = d }))(okHandler)
	serve(h, "10.0.0.1:1")
	if last.Shadow != ShadowNone {
		t.Errorf("empty shadow Holder: Shadow = %v, want none", last.Shadow)
	}
	shadow.Store(resolveList(t, "10.1.0.0/24"))
	serve(h, "10.0.0.1:1")
	if last.Shadow != ShadowWouldRefuse {
		t.Errorf("Shadow = %v, want would refuse", last.Shadow)
	}
	if c := m.Snapshot(); c.ShadowWouldRefuse != 1 || c.ShadowWouldAllow != 0 {
		t.Errorf("counts %+v", c)
	}
}

// TestShadowConcurrentSwaps runs 8 clients while both the list in force
// and the shadow list are swapped (the shadow also to no Set), and checks
// that every Decision is one that some pair of the lists makes, and that
// the counters agree exactly with the Decisions the hook saw.
func TestShadowConcurrentSwaps(t *testing.T) {
	a := resolveList(t, "10.0.0.0/24,10.1.0.0/24")
	b := resolveList(t, "10.0.0.0/24,10.2.0.0/24")
	enforced, shadow := NewHolder(a), NewHolder(b)
	m := new(Metrics)
	var sawAllow, sawRefuse, hooked atomic.Uint64
	var bad atomic.Value
	clients := []netip.Addr{netip.MustParseAddr("10.0.0.5"), netip.MustParseAddr("10.1.0.5"), netip.MustParseAddr("10.2.0.5"), netip.MustParseAddr("10.3.0.5")}
	hook := func(_ *http.Request, d Decision) {
		hooked.Add(1)
		inA, inB := a.Contains(d.Client), b.Contains(d.Client)
		if d.Allowed != inA && d.Allowed != inB {
			bad.Store("allowed by neither list: " + d.Client.String())
		}
		switch d.Shadow {
		case ShadowWouldAllow:
			sawAllow.Add(1)
			if d.Allowed || !(inA || inB) || !d.ShadowRule.Prefix.Contains(d.Client) {
				bad.Store("impossible would-allow for " + d.Client.String())
			}
		case ShadowWouldRefuse:
			sawRefuse.Add(1)
			if !d.Allowed || inA && inB {
				bad.Store("impossible would-refuse for " + d.Client.String())
			}
		}
	}
	h := Middleware(enforced, peerExtractor{}, WithShadow(shadow), WithMetrics(m), WithDecisionHook(hook))(okHandler)

	stop := make(chan struct{})
	var swappers sync.WaitGroup
	swappers.Add(2)
	go swapUntil(stop, &swappers, enforced, a, b)
	go swapUntil(stop, &swappers, shadow, b, a, nil)

	const perClient = 2000
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range perClient {
				c := clients[(g+i)%len(clients)]
				serve(h, netip.AddrPortFrom(c, 1).String())
			}
		}()
	}
	wg.Wait()
	close(stop)
	swappers.Wait()

	if v := bad.Load(); v != nil {
		t.Fatal(v)
	}
	c := m.Snapshot()
	if c.Requests() != 8*perClient || hooked.Load() != 8*perClient {
		t.Errorf("%d requests counted, %d hooked; want %d", c.Requests(), hooked.Load(), 8*perClient)
	}
	if c.ShadowWouldAllow != sawAllow.Load() || c.ShadowWouldRefuse != sawRefuse.Load() {
		t.Errorf("counted would allow %d, would refuse %d; the hook saw %d, %d", c.ShadowWouldAllow, c.ShadowWouldRefuse, sawAllow.Load(), sawRefuse.Load())
	}
	t.Logf("would allow %d, would refuse %d of %d", c.ShadowWouldAllow, c.ShadowWouldRefuse, c.Requests())
}

// TestShadowExactUnderSwaps runs the script of 8 clients concurrently
// while both Holders are swapped between Sets of the same content (each
// resolved anew), so every swap is a real pointer swap and the counts must
// still come out exact.
func TestShadowExactUnderSwaps(t *testing.T) {
	var as, bs []*allowlist.Set
	for range 3 {
		as = append(as, resolveList(t, "10.0.0.0/24,10.1.0.0/24"))
		bs = append(bs, resolveList(t, "10.0.0.0/24,10.2.0.0/24"))
	}
	enforced, shadow := NewHolder(as[0]), NewHolder(bs[0])
	m := new(Metrics)
	hm := new(Metrics) // the same with a hook: the slow path
	fast := Middleware(enforced, peerExtractor{}, WithShadow(shadow), WithMetrics(m))(okHandler)
	slow := Middleware(enforced, peerExtractor{}, WithShadow(shadow), WithMetrics(hm), WithDecisionHook(func(*http.Request, Decision) {}))(okHandler)

	stop := make(chan struct{})
	var swappers sync.WaitGroup
	swappers.Add(2)
	go swapUntil(stop, &swappers, enforced, as...)
	go swapUntil(stop, &swappers, shadow, bs...)

	// Per round: would refuse 10.1.0.5 twice, would allow 10.2.0.5 three
	// times, agree on 10.0.0.5 and 10.3.0.5, no client for "junk".
	script := []string{"10.0.0.5:1", "10.1.0.5:1", "10.2.0.5:1", "10.2.0.5:1", "10.3.0.5:1", "10.1.0.5:1", "junk", "10.2.0.5:1"}
	const rounds = 150
	var wg sync.WaitGroup
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range rounds {
				for _, remote := range script {
					serve(fast, remote)
					serve(slow, remote)
				}
			}
		}()
	}
	wg.Wait()
	close(stop)
	swappers.Wait()

	const n = 8 * rounds
	want := Counters{
		Allowed:           AllowedCounts{Entry: 3 * n},
		Refused:           RefusedCounts{List: 4 * n, OtherError: n},
		ShadowWouldAllow:  3 * n,
		ShadowWouldRefuse: 2 * n,
	}
	for name, m := range map[string]*Metrics{"fast": m, "hook": hm} {
		if diff := cmp.Diff(want, m.Snapshot()); diff != "" {
			t.Errorf("%s path counters (-want +got):\n%s", name, diff)
		}
	}
}

// resolveWith parses and resolves a list with exceptions.
func resolveWith(t testing.TB, s string, except []netip.Prefix) *allowlist.Set {
	t.Helper()
	l, err := allowlist.Parse(s, allowlist.Policy{})
	if err != nil {
		t.Fatal(err)
	}
	set, err := allowlist.Resolver{Except: except}.Resolve(l)
	if err != nil {
		t.Fatal(err)
	}
	return set
}
