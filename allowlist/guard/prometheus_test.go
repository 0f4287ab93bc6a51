package guard

import (
	"bytes"
	"errors"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// TestWritePrometheus checks the whole exposition of two Metrics, one with
// sources, against the expected text.
func TestWritePrometheus(t *testing.T) {
	s, cases := countingSetup(t)
	admin, hooks := &Metrics{List: "admin"}, &Metrics{List: `ho"oks`}
	h := Middleware(NewHolder(s), caseExtractor{}, WithMetrics(admin), WithReportOnly())(okHandler)
	for _, c := range cases[:6] {
		serveCase(h, c.path, c.remote)
	}
	applied := time.Date(2026, 5, 1, 12, 0, 0, 250e6, time.UTC)
	admin.AddSource("ranges-file", func() SourceStatus {
		return SourceStatus{Applied: 3, Failed: 1, LastApplied: applied, LastChecked: applied.Add(time.Minute), Err: errors.New("x")}
	})
	admin.AddSource("service\ntags", func() SourceStatus {
		return SourceStatus{Applied: 1, DocumentTime: time.Date(2026, 4, 27, 0, 0, 0, 0, time.UTC)}
	})
	var b bytes.Buffer
	if err := WritePrometheus(&b, admin, nil, hooks); err != nil {
		t.Fatal(err)
	}
	want := `# HELP allowlist_allowed_requests_total Requests the allowlist allowed, by the source of the rule that allowed the client.
# TYPE allowlist_allowed_requests_total counter
allowlist_allowed_requests_total{list="admin",source="entry"} 1
allowlist_allowed_requests_total{list="admin",source="service_tag"} 1
allowlist_allowed_requests_total{list="admin",source="egress"} 1
allowlist_allowed_requests_total{list="admin",source="disabled"} 0
allowlist_allowed_requests_total{list="admin",source="set"} 0
allowlist_allowed_requests_total{list="ho\"oks",source="entry"} 0
allowlist_allowed_requests_total{list="ho\"oks",source="service_tag"} 0
allowlist_allowed_requests_total{list="ho\"oks",source="egress"} 0
allowlist_allowed_requests_total{list="ho\"oks",source="disabled"} 0
allowlist_allowed_requests_total{list="ho\"oks",source="set"} 0
# HELP allowlist_refused_requests_total Requests the allowlist refused, by reason: the list, an exception, no list loaded, or the kind of error that left the request without a client address.
# TYPE allowlist_refused_requests_total counter
allowlist_refused_requests_total{list="admin",reason="list"} 1
allowlist_refused_requests_total{list="admin",reason="exception"} 1
allowlist_refused_requests_total{list="admin",reason="no_set"} 0
allowlist_refused_requests_total{list="admin",reason="no_peer"} 1
allowlist_refused_requests_total{list="admin",reason="header_missing"} 0
allowlist_refused_requests_total{list="admin",reason="header_repeated"} 0
allowlist_refused_requests_total{list="admin",reason="malformed"} 0
allowlist_refused_requests_total{list="admin",reason="no_untrusted_hop"} 0
allowlist_refused_requests_total{list="admin",reason="too_many_hops"} 0
allowlist_refused_requests_total{list="admin",reason="companion"} 0
allowlist_refused_requests_total{list="admin",reason="other_error"} 0
allowlist_refused_requests_total{list="ho\"oks",reason="list"} 0
allowlist_refused_requests_total{list="ho\"oks",reason="exception"} 0
allowlist_refused_requests_total{list="ho\"oks",reason="no_set"} 0
allowlist_refused_requests_total{list="ho\"oks",reason="no_peer"} 0
allowlist_refused_requests_total{list="ho\"oks",reason="header_missing"} 0
allowlist_refused_requests_total{list="ho\"oks",reason="header_repeated"} 0
allowlist_refused_requests_total{list="ho\"oks",reason="malformed"} 0
allowlist_refused_requests_total{list="ho\"oks",reason="no_untrusted_hop"} 0
allowlist_refused_requests_total{list="ho\"oks",reason="too_many_hops"} 0
allowlist_refused_requests_total{list="ho\"oks",reason="companion"} 0
allowlist_refused_requests_total{list="ho\"oks",reason="other_error"} 0
# HELP allowlist_report_only_requests_total Refused requests that were passed on because the allowlist runs in report-only mode.
# TYPE allowlist_report_only_requests_total counter
allowlist_report_only_requests_total{list="admin"} 3
allowlist_report_only_requests_total{list="ho\"oks"} 0
# HELP allowlist_shadow_disagreements_total Requests the shadow list would decide otherwise than the list in force.
# TYPE allowlist_shadow_disagreements_total counter
allowlist_shadow_disagreements_total{list="admin",shadow="would_allow"} 0
allowlist_shadow_disagreements_total{list="admin",shadow="would_refuse"} 0
allowlist_shadow_disagreements_total{list="ho\"oks",shadow="would_allow"} 0
allowlist_shadow_disagreements_total{list="ho\"oks",shadow="would_refuse"} 0
# HELP allowlist_source_applied_total Updates a source of the allowlist applied.
# TYPE allowlist_source_applied_total counter
allowlist_source_applied_total{list="admin",source="ranges-file"} 3
allowlist_source_applied_total{list="admin",source="service\ntags"} 1
# HELP allowlist_source_failed_total Updates of a source of the allowlist that failed; the last good state stayed.
# TYPE allowlist_source_failed_total counter
allowlist_source_failed_total{list="admin",source="ranges-file"} 1
allowlist_source_failed_total{list="admin",source="service\ntags"} 0
# HELP allowlist_source_failing 1 while a source of the allowlist reports an error, else 0.
# TYPE allowlist_source_failing gauge
allowlist_source_failing{list="admin",source="ranges-file"} 1
allowlist_source_failing{list="admin",source="service\ntags"} 0
# HELP allowlist_source_last_applied_timestamp_seconds When the state in force of a source was applied, in Unix seconds.
# TYPE allowlist_source_last_applied_timestamp_seconds gauge
allowlist_source_last_applied_timestamp_seconds{list="admin",source="ranges-file"} 1777636800.25
# HELP allowlist_source_last_checked_timestamp_seconds The last successful look at a source, in Unix seconds.
# TYPE allowlist_source_last_checked_timestamp_seconds gauge
allowlist_source_last_checked_timestamp_seconds{list="admin",source="ranges-file"} 1777636860.25
# HELP allowlist_source_document_timestamp_seconds When the content in force of a source was published, in Unix seconds.
# TYPE allowlist_source_document_timestamp_seconds gauge
allowlist_source_document_timestamp_seconds{list="admin",source="service\ntags"} 1777248000
`
	if diff := cmp.Diff(want, b.String()); diff != "" {
		t.Errorf("exposition (-want +got):\n%s", diff)
	}
	checkExposition(t, b.String())
}

// checkExposition checks the text format's grammar: every family has one
// HELP and one TYPE line before its samples, every sample line is
// name{labels} value, and no family appears twice.
func checkExposition(t *testing.T, text string) {
	t.Helper()
	sample := regexp.MustCompile(`^([a-z_]+)(\{([a-z_]+="([^"\\\n]|\\[\\"n])*"(,[a-z_]+="([^"\\\n]|\\[\\"n])*")*)\})? [0-9]+(\.[0-9]+)?$`)
	seen := map[string]bool{}
	var help, typ string
	for i, line := range strings.Split(strings.TrimSuffix(text, "\n"), "\n") {
		switch {
		case strings.HasPrefix(line, "# HELP "):
			help = strings.Fields(line)[2]
			if seen[help] {
				t.Errorf("line %d: family %s again", i+1, help)
			}
			seen[help] = true
		case strings.HasPrefix(line, "# TYPE "):
			f := strings.Fields(line)
			if typ = f[2]; typ != help || len(f) != 4 || f[3] != "counter" && f[3] != "gauge" {
				t.Errorf("line %d: %q does not follow the HELP of %s", i+1, line, help)
			}
		default:
			m := sample.FindStringSubmatch(line)
			if m == nil {
				t.Errorf("line %d: %q is not a sample", i+1, line)
			} else if m[1] != typ {
				t.Errorf("line %d: sample of %s under the TYPE of %s", i+1, m[1], typ)
			}
		}
	}
}

func TestWritePrometheusUnnamed(t *testing.T) {
	m := new(Metrics)
	h := Middleware(NewHolder(mustSet(t, "192.0.2.0/24")), peerExtractor{}, WithMetrics(m))(okHandler)
	serve(h, "192.0.2.1:1")
	var b bytes.Buffer
	if err := WritePrometheus(&b, m); err != nil {
		t.Fatal(err)
	}
	checkExposition(t, b.String())
	for _, line := range []string{`allowlist_allowed_requests_total{source="set"} 1`, "allowlist_report_only_requests_total 0"} {
		if !strings.Contains(b.String(), line+"\n") {
			t.Errorf("exposition lacks %q:\n%s", line, b.String())
		}
	}
	if strings.Contains(b.String(), "allowlist_source_") {
		t.Errorf("exposition without sources has source families:\n%s", b.String())
	}
	if err := WritePrometheus(&b, m, &Metrics{}); err == nil || !strings.Contains(err.Error(), `two Metrics with List ""`) {
		t.Errorf("two unnamed Metrics: %v, want an error", err)
	}
}

func TestMetricsHandler(t *testing.T) {
	m := &Metrics{List: "a"}
	w := httptest.NewRecorder()
	MetricsHandler(m).ServeHTTP(w, httptest.NewRequest("GET", "/metrics", nil))
	if w.Code != 200 || w.Header().Get("Content-Type") != "text/plain; version=0.0.4; charset=utf-8" {
		t.Errorf("%d %q", w.Code, w.Header().Get("Content-Type"))
	}
	checkExposition(t, w.Body.String())
	w = httptest.NewRecorder()
	MetricsHandler(m, m).ServeHTTP(w, httptest.NewRequest("GET", "/metrics", nil))
	if w.Code != 500 {
		t.Errorf("the same Metrics twice: %d, want 500", w.Code)
	}
}
