package guard

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"net/netip"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/ipallow/ipallow/ipsource"
)

// DefaultAuditEvery is how often an AuditLog with no Every logs a refusal
// of one client.
const DefaultAuditEvery = time.Second

// DefaultAuditClients is how many clients an AuditLog with no Clients
// remembers for its rate limit.
const DefaultAuditClients = 4096

// Bounds of what a record quotes from a request, in bytes.
const (
	maxLoggedHeader = 64  // the raw value of the header at fault
	maxLoggedPeer   = 64  // r.RemoteAddr
	maxLoggedPath   = 256 // the path
)

// LogDecisions returns a decision hook for WithDecisionHook that logs every
// Decision to l, as an AuditLog with l and the default rate limit does: a
// nil l means slog.Default().
func LogDecisions(l *slog.Logger) func(*http.Request, Decision) {
	return (&AuditLog{Logger: l}).Log
}

// AuditLog logs Decisions to a slog.Logger: its Log method is a decision
// hook for WithDecisionHook. Allowed requests are logged at
// slog.LevelDebug, requests the list refused at slog.LevelInfo, and
// requests refused because no address could be decided or no Set was
// loaded at slog.LevelWarn, since those usually mean a misconfigured proxy
// or list. A shadow Set (WithShadow) that would refuse an allowed client
// raises the record to slog.LevelWarn, one that would allow a refused
// client to slog.LevelInfo.
//
// Each record has the attributes client (the decided address, "" if none),
// allowed, rule (the rule that allowed the client, or the exception that
// refused it; see allowlist.Rule.String), report_only (WithReportOnly),
// shadow and shadow_rule (WithShadow, when the shadow Set disagrees),
// error (with an error), header and header_value (with an ipsource.Error
// about a header: its name and its raw value, all field lines, cut to 64
// bytes and marked "..." when cut; the value of an ipsource.ErrCompanion
// header is left out, as it may be a secret), peer (r.RemoteAddr, the TCP
// peer), method and path (from AuthHandler: the original request's), and
// suppressed. Values a client sent are cut to a bound.
//
// Records above slog.LevelDebug (refusals and shadow disagreements) are
// rate-limited per client: at most one in each Every for one client
// address (for a request without one, for its TCP peer). The records held
// back are counted, and the next record for that client says how many in
// suppressed=N. The limiter remembers the last Clients clients in a table
// of fixed size, evicting the least recently logged client of a small
// group when it is full; an evicted client's count is lost (Suppressed
// still counts it). Allowed requests are never rate-limited, and cost next
// to nothing when l does not log slog.LevelDebug.
//
// The zero AuditLog logs to slog.Default() with the default limits. Its
// fields must be set before the first call to Log and not changed
// afterwards; an AuditLog must not be copied after first use. Log is safe
// for concurrent use.
type AuditLog struct {
	Logger  *slog.Logger  // nil: slog.Default()
	Every   time.Duration // at most one rate-limited record per client in each Every; 0: DefaultAuditEvery; negative: no rate limit
	Clients int           // how many clients the rate limit remembers, rounded up to a multiple of 8; 0: DefaultAuditClients

	now        func() time.Time // the clock; nil: time.Now
	once       sync.Once
	lim        *limiter
	suppressed atomic.Uint64
}

// Suppressed returns the number of records the rate limit held back.
func (a *AuditLog) Suppressed() uint64 { return a.suppressed.Load() }

// Log logs d, the Decision on r; it is the decision hook.
func (a *AuditLog) Log(r *http.Request, d Decision) {
	lg := a.Logger
	if lg == nil {
		lg = slog.Default()
	}
	level, msg := slog.LevelDebug, "allowlist: allowed"
	switch {
	case d.Err != nil:
		level, msg = slog.LevelWarn, "allowlist: refused"
	case !d.Allowed:
		level, msg = slog.LevelInfo, "allowlist: refused"
	}
	switch d.Shadow {
	case ShadowWouldRefuse:
		level = slog.LevelWarn
	case ShadowWouldAllow:
		level = max(level, slog.LevelInfo)
	}
	ctx := r.Context()
	if !lg.Enabled(ctx, level) {
		return
	}
	var suppressed uint64
	if level > slog.LevelDebug && a.Every >= 0 {
		ok, n := a.limit(r, d)
		if !ok {
			a.suppressed.Add(1)
			return
		}
		suppressed = n
	}
	logDecision(ctx, lg, level, msg, r, d, suppressed)
}

// limit reports whether a rate-limited record of d may be logged now, and
// how many records for its client were held back since the last one.
func (a *AuditLog) limit(r *http.Request, d Decision) (bool, uint64) {
	a.once.Do(func() {
		every := a.Every
		if every == 0 {
			every = DefaultAuditEvery
		}
		n := a.Clients
		if n <= 0 {
			n = DefaultAuditClients
		}
		a.lim = newLimiter(every, n)
	})
	key := d.Client
	if !key.IsValid() {
		if ap, err := netip.ParseAddrPort(r.RemoteAddr); err == nil {
			key = ap.Addr().Unmap().WithZone("")
		}
	}
	now := time.Now
	if a.now != nil {
		now = a.now
	}
	return a.lim.allow(key, now().UnixNano())
}

func logDecision(ctx context.Context, l *slog.Logger, level slog.Level, msg string, r *http.Request, d Decision, suppressed uint64) {
	attrs := make([]slog.Attr, 0, 14)
	if d.Client.IsValid() {
		attrs = append(attrs, slog.String("client", d.Client.String()))
	} else {
		attrs = append(attrs, slog.String("client", ""))
	}
	attrs = append(attrs, slog.Bool("allowed", d.Allowed))
	if d.Rule.Prefix.IsValid() {
		attrs = append(attrs, slog.String("rule", d.Rule.String()))
	}
	if d.ReportOnly {
		attrs = append(attrs, slog.Bool("report_only", true))
	}
	switch d.Shadow {
	case ShadowWouldAllow:
		attrs = append(attrs, slog.String("shadow", d.Shadow.String()), slog.String("shadow_rule", d.ShadowRule.String()))
	case ShadowWouldRefuse:
		attrs = append(attrs, slog.String("shadow", d.Shadow.String()))
	}
	if d.Err != nil {
		attrs = append(attrs, slog.String("error", d.Err.Error()))
		var e *ipsource.Error
		if errors.As(d.Err, &e) && e.Header != "" {
			attrs = append(attrs, slog.String("header", e.Header))
			if vs := r.Header[e.Header]; len(vs) > 0 && e.Kind != ipsource.ErrCompanion {
				attrs = append(attrs, slog.String("header_value", joinClip(vs, maxLoggedHeader)))
			}
		}
	}
	attrs = append(attrs, slog.String("peer", clip(r.RemoteAddr, maxLoggedPeer)))
	method, path := d.OriginalMethod, d.OriginalPath
	if method == "" {
		method = r.Method
	}
	if path == "" && r.URL != nil {
		path = r.URL.Path
	}
	attrs = append(attrs, slog.String("method", clip(method, maxLoggedPath)), slog.String("path", clip(path, maxLoggedPath)))
	if suppressed > 0 {
		attrs = append(attrs, slog.Uint64("suppressed", suppressed))
	}
	l.LogAttrs(ctx, level, msg, attrs...)
}

// clipMark ends a value that was cut.
const clipMark = "..."

// clip returns s cut to at most max bytes, marked with "..." when cut.
func clip(s string, max int) string {
	if len(s) <= max {
		return s
	}
	return s[:max] + clipMark
}

// joinClip joins the field lines vs with ", " as clip would cut the
// result, without copying more than max bytes of them.
func joinClip(vs []string, max int) string {
	if len(vs) == 1 {
		return clip(vs[0], max)
	}
	var b strings.Builder
	put := func(s string) bool {
		if room := max - b.Len(); len(s) > room {
			b.WriteString(s[:room])
			b.WriteString(clipMark)
			return false
		}
		b.WriteString(s)
		return true
	}
	for i, v := range vs {
		if i > 0 && !put(", ") || !put(v) {
			break
		}
	}
	return b.String()
}
