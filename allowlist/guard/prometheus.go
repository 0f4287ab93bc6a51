package guard

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// WritePrometheus writes the counters of ms, and the status of their
// sources, to w in the Prometheus text exposition format (version 0.0.4),
// each metric family once, with the series of every Metrics under it:
//
//	allowlist_allowed_requests_total{source}        counter  source: entry, service_tag, egress, disabled, set
//	allowlist_refused_requests_total{reason}        counter  reason: list, exception, no_set, no_peer, header_missing,
//	                                                         header_repeated, malformed, no_untrusted_hop, too_many_hops,
//	                                                         companion, other_error
//	allowlist_report_only_requests_total            counter  refused requests passed on (WithReportOnly)
//	allowlist_shadow_disagreements_total{shadow}    counter  shadow: would_allow, would_refuse
//	allowlist_source_applied_total{source}          counter  source: the name given to AddSource
//	allowlist_source_failed_total{source}           counter
//	allowlist_source_failing{source}                gauge    1 while the source reports an error
//	allowlist_source_last_applied_timestamp_seconds{source}  gauge, when known
//	allowlist_source_last_checked_timestamp_seconds{source}  gauge, when known
//	allowlist_source_document_timestamp_seconds{source}      gauge, when known
//
// A Metrics with a List name adds the label list="NAME" to its series. Two
// of ms with the same List are an error, and so is a failed write; nil
// entries are skipped. Nothing is written on error, except what a failed
// write left.
func WritePrometheus(w io.Writer, ms ...*Metrics) error {
	var live []*Metrics
	seen := map[string]bool{}
	for _, m := range ms {
		if m == nil {
			continue
		}
		if seen[m.List] {
			return fmt.Errorf("guard: WritePrometheus given two Metrics with List %q; name each Metrics differently", m.List)
		}
		seen[m.List] = true
		live = append(live, m)
	}
	reads := make([]metricsRead, len(live))
	for i, m := range live {
		reads[i] = metricsRead{list: m.List, c: m.Snapshot()}
		for _, s := range m.sourceList() {
			reads[i].sources = append(reads[i].sources, namedStatus{s.name, s.status()})
		}
	}

	var b bytes.Buffer
	// family writes one metric family: samples is called for each read,
	// and add writes a sample with its labels (list first).
	family := func(name, typ, help string, samples func(r *metricsRead, add func(v string, labels ...string))) {
		var body bytes.Buffer
		for i := range reads {
			r := &reads[i]
			samples(r, func(v string, labels ...string) {
				if r.list != "" {
					labels = append([]string{"list", r.list}, labels...)
				}
				body.WriteString(name)
				if len(labels) > 0 {
					body.WriteByte('{')
					writeLabels(&body, labels)
					body.WriteByte('}')
				}
				body.WriteByte(' ')
				body.WriteString(v)
				body.WriteByte('\n')
			})
		}
		if body.Len() == 0 {
			return
		}
		fmt.Fprintf(&b, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, typ)
		b.Write(body.Bytes())
	}
	u := func(v uint64) string { return strconv.FormatUint(v, 10) }

	family("allowlist_allowed_requests_total", "counter", "Requests the allowlist allowed, by the source of the rule that allowed the client.",
		func(r *metricsRead, add func(string, ...string)) {
			a := r.c.Allowed
			add(u(a.Entry), "source", "entry")
			add(u(a.ServiceTag), "source", "service_tag")
			add(u(a.Egress), "source", "egress")
			add(u(a.Disabled), "source", "disabled")
			add(u(a.Set), "source", "set")
		})
	family("allowlist_refused_requests_total", "counter", "Requests the allowlist refused, by reason: the list, an exception, no list loaded, or the kind of error that left the request without a client address.",
		func(r *metricsRead, add func(string, ...string)) {
			c := r.c.Refused
			add(u(c.List), "reason", "list")
			add(u(c.Exception), "reason", "exception")
			add(u(c.NoSet), "reason", "no_set")
			add(u(c.NoPeer), "reason", "no_peer")
			add(u(c.HeaderMissing), "reason", "header_missing")
			add(u(c.HeaderRepeated), "reason", "header_repeated")
			add(u(c.Malformed), "reason", "malformed")
			add(u(c.NoUntrustedHop), "reason", "no_untrusted_hop")
			add(u(c.TooManyHops), "reason", "too_many_hops")
			add(u(c.Companion), "reason", "companion")
			add(u(c.OtherError), "reason", "other_error")
		})
	family("allowlist_report_only_requests_total", "counter", "Refused requests that were passed on because the allowlist runs in report-only mode.",
		func(r *metricsRead, add func(string, ...string)) { add(u(r.c.ReportOnly)) })
	family("allowlist_shadow_disagreements_total", "counter", "Requests the shadow list would decide otherwise than the list in force.",
		func(r *metricsRead, add func(string, ...string)) {
			add(u(r.c.ShadowWouldAllow), "shadow", "would_allow")
			add(u(r.c.ShadowWouldRefuse), "shadow", "would_refuse")
		})
	source := func(name, typ, help string, value func(SourceStatus) (string, bool)) {
		family(name, typ, help, func(r *metricsRead, add func(string, ...string)) {
			for _, s := range r.sources {
				if v, ok := value(s.status); ok {
					add(v, "source", s.name)
				}
			}
		})
	}
	source("allowlist_source_applied_total", "counter", "Updates a source of the allowlist applied.",
		func(s SourceStatus) (string, bool) { return u(s.Applied), true })
	source("allowlist_source_failed_total", "counter", "Updates of a source of the allowlist that failed; the last good state stayed.",
		func(s SourceStatus) (string, bool) { return u(s.Failed), true })
	source("allowlist_source_failing", "gauge", "1 while a source of the allowlist reports an error, else 0.",
		func(s SourceStatus) (string, bool) {
			if s.Err != nil {
				return "1", true
			}
			return "0", true
		})
	source("allowlist_source_last_applied_timestamp_seconds", "gauge", "When the state in force of a source was applied, in Unix seconds.",
		func(s SourceStatus) (string, bool) { return seconds(s.LastApplied) })
	source("allowlist_source_last_checked_timestamp_seconds", "gauge", "The last successful look at a source, in Unix seconds.",
		func(s SourceStatus) (string, bool) { return seconds(s.LastChecked) })
	source("allowlist_source_document_timestamp_seconds", "gauge", "When the content in force of a source was published, in Unix seconds.",
		func(s SourceStatus) (string, bool) { return seconds(s.DocumentTime) })

	_, err := w.Write(b.Bytes())
	return err
}

// metricsRead is what WritePrometheus read from one Metrics.
type metricsRead struct {
	list    string
	c       Counters
	sources []namedStatus
}

type namedStatus struct {
	name   string
	status SourceStatus
}

// seconds formats t as Unix seconds with millisecond precision; false for
// the zero time.
func seconds(t time.Time) (string, bool) {
	if t.IsZero() {
		return "", false
	}
	return strconv.FormatFloat(float64(t.UnixMilli())/1e3, 'f', -1, 64), true
}

// writeLabels writes name-value pairs as Prometheus labels.
func writeLabels(b *bytes.Buffer, kv []string) {
	for i := 0; i+1 < len(kv); i += 2 {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(kv[i])
		b.WriteString(`="`)
		labelEscaper.WriteString(b, kv[i+1])
		b.WriteByte('"')
	}
}

// labelEscaper escapes a label value: backslash, double quote and line feed.
var labelEscaper = strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\n", `\n`)

// MetricsHandler returns an http.Handler that serves WritePrometheus(ms...)
// as text/plain; version=0.0.4, the format Prometheus scrapes: mount it at
// /metrics.
func MetricsHandler(ms ...*Metrics) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var b bytes.Buffer
		if err := WritePrometheus(&b, ms...); err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		w.Header().Set("Content-Type", "text/plain; version=0.0.4; charset=utf-8")
		w.Write(b.Bytes())
	})
}
