package guard

import (
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/ipallow/ipallow/allowlist"
	"github.com/ipallow/ipallow/ipsource"
)

// Metrics counts the Decisions of the middlewares and AuthHandlers built
// WithMetrics(m), and holds the status of the sources that keep their
// Sets current (AddSource). Counting is a few atomic additions per
// request, without a lock or an allocation. Read the counters with
// Snapshot, publish them with Publish (expvar) or WritePrometheus, or
// serve them with MetricsHandler.
//
// Share one Metrics between handlers to count them together, or give each
// its own, named by List, to tell them apart.
//
// The zero Metrics is ready to use. List must be set before first use and
// not changed afterwards; a Metrics must not be copied after first use.
type Metrics struct {
	// List names what is counted, for the Prometheus exposition (the label
	// list="NAME" on every series); "" adds no label. Metrics written
	// together by WritePrometheus must have different names.
	List string

	allowed    [numAllowed]atomic.Uint64
	refused    [numRefused]atomic.Uint64
	reportOnly atomic.Uint64
	wouldAllow atomic.Uint64
	wouldRef   atomic.Uint64

	mu      sync.Mutex
	sources []namedSource
}

// The slots of Metrics.allowed, one per rule source.
const (
	allowedEntry = iota
	allowedTag
	allowedEgress
	allowedDisabled
	allowedSet
	numAllowed
)

// The slots of Metrics.refused, one per reason.
const (
	refusedList = iota
	refusedException
	refusedNoSet
	refusedNoPeer
	refusedHeaderMissing
	refusedHeaderRepeated
	refusedMalformed
	refusedNoUntrustedHop
	refusedTooManyHops
	refusedCompanion
	refusedOther
	numRefused
)

// Counters is a snapshot of a Metrics. Every request is counted once, in
// Allowed or in Refused; ReportOnly and the shadow counters count some of
// the same requests again.
type Counters struct {
	Allowed    AllowedCounts // requests the list allowed, by the source of the rule that allowed them
	Refused    RefusedCounts // requests refused, by reason
	ReportOnly uint64        // refused requests that were passed on all the same (WithReportOnly); counted in Refused too

	ShadowWouldAllow  uint64 // requests refused by the Set in force that the shadow Set would allow (WithShadow)
	ShadowWouldRefuse uint64 // requests allowed by the Set in force that the shadow Set would refuse
}

// Requests returns the number of requests counted: allowed and refused.
func (c Counters) Requests() uint64 { return c.Allowed.Total() + c.Refused.Total() }

// AllowedCounts counts allowed requests by the source of the rule that
// allowed them (allowlist.Rule.Source).
type AllowedCounts struct {
	Entry      uint64 // a listed entry
	ServiceTag uint64 // a service tag
	Egress     uint64 // an implicit egress address or prefix
	Disabled   uint64 // a disabled list
	Set        uint64 // a Set from Compile, which names no rule
}

// Total returns the sum of the counts.
func (c AllowedCounts) Total() uint64 {
	return c.Entry + c.ServiceTag + c.Egress + c.Disabled + c.Set
}

// RefusedCounts counts refused requests by reason: the list, an
// exception, no Set, or the kind of extractor error (ipsource.ErrNoPeer
// and so on) that left the request without a client address.
type RefusedCounts struct {
	List      uint64 // the client is not in the Set
	Exception uint64 // the client is in an exception (allowlist.Resolver.Except)
	NoSet     uint64 // the Holder held no Set (ErrNoSet)

	NoPeer         uint64 // ipsource.ErrNoPeer
	HeaderMissing  uint64 // ipsource.ErrHeaderMissing
	HeaderRepeated uint64 // ipsource.ErrHeaderRepeated
	Malformed      uint64 // ipsource.ErrMalformed
	NoUntrustedHop uint64 // ipsource.ErrNoUntrustedHop
	TooManyHops    uint64 // ipsource.ErrTooManyHops
	Companion      uint64 // ipsource.ErrCompanion
	OtherError     uint64 // any other extractor error, or neither an address nor an error
}

// Total returns the sum of the counts.
func (c RefusedCounts) Total() uint64 {
	return c.List + c.Exception + c.NoSet + c.NoPeer + c.HeaderMissing + c.HeaderRepeated +
		c.Malformed + c.NoUntrustedHop + c.TooManyHops + c.Companion + c.OtherError
}

// Snapshot returns the current counts. Each count is read atomically, not
// all together: a snapshot taken while requests run may count a request in
// one field and not yet in another. A nil m gives zero counts.
func (m *Metrics) Snapshot() Counters {
	if m == nil {
		return Counters{}
	}
	a, r := &m.allowed, &m.refused
	return Counters{
		Allowed: AllowedCounts{
			Entry: a[allowedEntry].Load(), ServiceTag: a[allowedTag].Load(), Egress: a[allowedEgress].Load(),
			Disabled: a[allowedDisabled].Load(), Set: a[allowedSet].Load(),
		},
		Refused: RefusedCounts{
			List: r[refusedList].Load(), Exception: r[refusedException].Load(), NoSet: r[refusedNoSet].Load(),
			NoPeer: r[refusedNoPeer].Load(), HeaderMissing: r[refusedHeaderMissing].Load(),
			HeaderRepeated: r[refusedHeaderRepeated].Load(), Malformed: r[refusedMalformed].Load(),
			NoUntrustedHop: r[refusedNoUntrustedHop].Load(), TooManyHops: r[refusedTooManyHops].Load(),
			Companion: r[refusedCompanion].Load(), OtherError: r[refusedOther].Load(),
		},
		ReportOnly:        m.reportOnly.Load(),
		ShadowWouldAllow:  m.wouldAllow.Load(),
		ShadowWouldRefuse: m.wouldRef.Load(),
	}
}

// count adds d to m; a nil m counts nothing.
func (m *Metrics) count(d *Decision) {
	if m == nil {
		return
	}
	if d.Allowed {
		m.allowed[allowedSlot(d.Rule.Source)].Add(1)
	} else {
		m.refused[refusedSlot(d)].Add(1)
		if d.ReportOnly {
			m.reportOnly.Add(1)
		}
	}
	switch d.Shadow {
	case ShadowWouldAllow:
		m.wouldAllow.Add(1)
	case ShadowWouldRefuse:
		m.wouldRef.Add(1)
	}
}

// allowedSlot returns the slot of Metrics.allowed for a rule source. A
// source this package does not know counts as set, the source of a rule
// that says nothing more than that the Set holds the address.
func allowedSlot(s allowlist.Source) int {
	switch s {
	case allowlist.FromEntry:
		return allowedEntry
	case allowlist.FromServiceTag:
		return allowedTag
	case allowlist.FromEgress:
		return allowedEgress
	case allowlist.FromDisabled:
		return allowedDisabled
	}
	return allowedSet
}

// refusedSlot returns the slot of Metrics.refused for a refusal.
func refusedSlot(d *Decision) int {
	switch {
	case d.Err == nil && d.Rule.Source == allowlist.FromException:
		return refusedException
	case d.Err == nil:
		return refusedList
	case d.Err == ErrNoSet:
		return refusedNoSet
	}
	kind := d.Err
	if e, ok := d.Err.(*ipsource.Error); ok {
		kind = e.Kind // the common case, without a walk of the chain
	}
	for i, k := range errorKinds {
		if kind == k {
			return refusedNoPeer + i
		}
	}
	for i, k := range errorKinds {
		if errors.Is(d.Err, k) {
			return refusedNoPeer + i
		}
	}
	return refusedOther
}

// errorKinds are the ipsource kinds in the order of their slots, from
// refusedNoPeer on.
var errorKinds = [...]error{
	ipsource.ErrNoPeer, ipsource.ErrHeaderMissing, ipsource.ErrHeaderRepeated, ipsource.ErrMalformed,
	ipsource.ErrNoUntrustedHop, ipsource.ErrTooManyHops, ipsource.ErrCompanion,
}

// SourceStatus is a snapshot of something that keeps a Set current: a
// FileWatcher, a servicetag.Loader, a feed of your own. Its fields are
// those of WatcherStatus and servicetag.LoaderStatus, so a status func for
// AddSource is one composite literal:
//
//	m.AddSource("servicetags", func() guard.SourceStatus {
//		s := loader.Status()
//		return guard.SourceStatus{Applied: s.Applied, Failed: s.Failed,
//			LastApplied: s.LastApplied, LastChecked: s.LastChecked, Err: s.Err}
//	})
type SourceStatus struct {
	Applied      uint64    // updates that were applied
	Failed       uint64    // updates that failed; the last good state stayed
	LastApplied  time.Time // when the state in force was applied; zero if none was
	LastChecked  time.Time // the last successful look at the source; zero if none
	DocumentTime time.Time // when the content in force was published or made, if the source knows (a service-tag document's date); zero if not
	Err          error     // the current failure; nil when the source is in step
}

// SourceStatus returns s as a SourceStatus, for Metrics.AddSource:
//
//	m.AddSource("ranges", func() guard.SourceStatus { return w.Status().SourceStatus() })
func (s WatcherStatus) SourceStatus() SourceStatus {
	return SourceStatus{Applied: s.Applied, Failed: s.Failed, LastApplied: s.LastApplied, LastChecked: s.LastChecked, Err: s.Err}
}

type namedSource struct {
	name   string
	status func() SourceStatus
}

// AddSource adds a source of the Sets that m counts decisions of, under
// name, to what Publish, WritePrometheus and Sources report. status is
// called each time they read m, from their goroutine: it must be safe for
// concurrent use, and must not call m. AddSource fails for an empty name, a
// nil status and a name m already has.
func (m *Metrics) AddSource(name string, status func() SourceStatus) error {
	switch {
	case name == "":
		return errors.New("guard: AddSource with an empty name; name the source, such as \"ranges-file\"")
	case status == nil:
		return fmt.Errorf("guard: AddSource(%q) with a nil status func; pass a func that returns the source's SourceStatus", name)
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, s := range m.sources {
		if s.name == name {
			return fmt.Errorf("guard: a source named %q was already added; give each source its own name", name)
		}
	}
	m.sources = append(m.sources, namedSource{name, status})
	return nil
}

// Sources returns the current status of each source added with AddSource,
// by name. A nil m has none.
func (m *Metrics) Sources() map[string]SourceStatus {
	out := map[string]SourceStatus{}
	for _, s := range m.sourceList() {
		out[s.name] = s.status()
	}
	return out
}

// sourceList returns m's sources in the order they were added. The status
// funcs are called without m's lock held, so that one may take locks of
// its own.
func (m *Metrics) sourceList() []namedSource {
	if m == nil {
		return nil
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	return append([]namedSource(nil), m.sources...)
}
