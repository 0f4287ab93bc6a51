package main

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
)

// fetchGET sends a GET to addr with the given headers and returns the status,
// the response headers and the body.
func fetchGET(t *testing.T, addr, path string, header map[string]string) (int, http.Header, string) {
	t.Helper()
	req, err := http.NewRequest("GET", "http://"+addr+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header, string(body)
}

// counter returns the value of the Prometheus series that matches re.
func counter(t *testing.T, metrics, series string) string {
	t.Helper()
	m := regexp.MustCompile(`(?m)^` + regexp.QuoteMeta(series) + ` (\S+)$`).FindStringSubmatch(metrics)
	if m == nil {
		t.Fatalf("no series %s in\n%s", series, metrics)
	}
	return m[1]
}

// TestMetricsMove: with -metrics, /metrics shows the counters moving as
// requests are allowed and refused.
func TestMetricsMove(t *testing.T) {
	r := startRun(t, "-listen", "127.0.0.1:0", "-ranges", "127.0.0.1/32", "-metrics", "127.0.0.1:0", "-log-level", "error")
	if r.g.metricsAt == "" {
		t.Fatal("no metrics address")
	}
	_, _, before := fetchGET(t, r.g.metricsAt, "/metrics", nil)
	if got := counter(t, before, `allowlist_allowed_requests_total{source="entry"}`); got != "0" {
		t.Errorf("allowed before any request = %s", got)
	}
	for range 3 {
		if code, _, _ := fetchGET(t, r.addrs[0], "/", nil); code != 200 {
			t.Fatalf("allowed request got %d", code)
		}
	}
	// With -source remoteaddr the peer 127.0.0.1 decides every request
	// here; a second guard, whose list refuses it, counts refusals.
	_, _, after := fetchGET(t, r.g.metricsAt, "/metrics", nil)
	if got := counter(t, after, `allowlist_allowed_requests_total{source="entry"}`); got != "3" {
		t.Errorf("allowed after 3 requests = %s\n%s", got, after)
	}
	if _, _, vars := fetchGET(t, r.g.metricsAt, "/debug/vars", nil); !strings.Contains(vars, `"allowlist"`) {
		t.Errorf("/debug/vars lacks the allowlist counters")
	}

	refusing := startRun(t, "-listen", "127.0.0.1:0", "-ranges", "192.0.2.0/24", "-metrics", "127.0.0.1:0", "-log-level", "error")
	for range 2 {
		if code, _, _ := fetchGET(t, refusing.addrs[0], "/", nil); code != 403 {
			t.Fatalf("refused request got %d", code)
		}
	}
	_, _, m := fetchGET(t, refusing.g.metricsAt, "/metrics", nil)
	if got := counter(t, m, `allowlist_refused_requests_total{reason="list"}`); got != "2" {
		t.Errorf("refused by the list = %s\n%s", got, m)
	}
}

// TestAuthz: -authz answers 200 with the decided client, or 403, and
// never proxies.
func TestAuthz(t *testing.T) {
	r := startRun(t, "-listen", "127.0.0.1:0", "-authz", "-source", "xff", "-trusted", "127.0.0.1/32", "-ranges", "198.51.100.0/24", "-log-level", "error")
	code, h, body := fetchGET(t, r.addrs[0], "/auth", map[string]string{"X-Forwarded-For": "198.51.100.7", "X-Original-URI": "/api/v1/pods"})
	if code != 200 || h.Get("X-Allowlist-Client") != "198.51.100.7" || body != "" {
		t.Errorf("allowed: %d %q %q", code, h.Get("X-Allowlist-Client"), body)
	}
	code, h, _ = fetchGET(t, r.addrs[0], "/auth", map[string]string{"X-Forwarded-For": "203.0.113.9"})
	if code != 403 || h.Get("X-Allowlist-Client") != "" {
		t.Errorf("refused: %d %q", code, h.Get("X-Allowlist-Client"))
	}
	if _, err := parseFlags([]string{"-authz", "-upstream", "http://127.0.0.1:1"}, io.Discard); err == nil {
		t.Error("-authz with -upstream accepted")
	}
}

// TestProxyProtocol: with -proxy-protocol, a connection from the listed
// load balancer is decided by the client its PROXY header names, and one
// without a header is closed.
func TestProxyProtocol(t *testing.T) {
	r := startRun(t, "-listen", "127.0.0.1:0", "-proxy-protocol", "127.0.0.1/32", "-ranges", "198.51.100.0/24", "-log-level", "error")
	send := func(preamble string) string {
		t.Helper()
		c, err := net.Dial("tcp", r.addrs[0])
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		fmt.Fprintf(c, "%sGET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", preamble)
		line, _ := bufio.NewReader(c).ReadString('\n')
		return strings.TrimSpace(line)
	}
	if got := send("PROXY TCP4 198.51.100.7 192.0.2.1 40000 443\r\n"); got != "HTTP/1.1 200 OK" {
		t.Errorf("listed client behind the balancer: %q", got)
	}
	if got := send("PROXY TCP4 203.0.113.9 192.0.2.1 40000 443\r\n"); got != "HTTP/1.1 403 Forbidden" {
		t.Errorf("unlisted client behind the balancer: %q", got)
	}
	if got := send(""); got != "" {
		t.Errorf("no PROXY header from the balancer: %q, want the connection closed", got)
	}
	if got := send("PROXY UNKNOWN\r\n"); got != "HTTP/1.1 403 Forbidden" {
		t.Errorf("a health check's UNKNOWN header: %q, want 403 (no client address)", got)
	}
}

// TestCandidateAndServiceTags: a candidate list is evaluated beside the
// enforced one and counted; -service-tags expands a tag of another
// provider's feed under -policy providers.
func TestCandidateAndServiceTags(t *testing.T) {
	dir := t.TempDir()
	candidate := filepath.Join(dir, "candidate")
	if err := os.WriteFile(candidate, []byte("# the next list\n192.0.2.0/24\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	r := startRun(t, "-listen", "127.0.0.1:0", "-ranges", "127.0.0.1/32", "-candidate", candidate, "-log-level", "error")
	if code, _, _ := fetchGET(t, r.addrs[0], "/", nil); code != 200 {
		t.Fatalf("enforced list refused 127.0.0.1: %d", code)
	}
	if got := r.g.metrics.Snapshot().ShadowWouldRefuse; got != 1 {
		t.Errorf("ShadowWouldRefuse = %d, want 1", got)
	}

	tags := startRun(t, "-listen", "127.0.0.1:0", "-policy", "providers", "-source", "xff", "-trusted", "127.0.0.1/32",
		"-service-tags", "github:../../servicetag/testdata/github_meta.json", "-ranges", "GitHub.hooks", "-log-level", "error")
	if code, _, _ := fetchGET(t, tags.addrs[0], "/", map[string]string{"X-Forwarded-For": "192.30.252.1"}); code != 200 {
		t.Errorf("a GitHub hooks address got %d", code)
	}
	if code, _, _ := fetchGET(t, tags.addrs[0], "/", map[string]string{"X-Forwarded-For": "8.8.8.8"}); code != 403 {
		t.Errorf("8.8.8.8 got %d", code)
	}
}

// TestCommentedRangesFile: a ranges file with comments, blank lines and one
// entry or several a line loads; a broken one is reported with its line
// and column, and the last good list stays in force.
func TestCommentedRangesFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "ranges")
	replaceFile(t, path, "\ufeff# offices\r\n127.0.0.1 # this host\r\n\r\n192.0.2.0/24, 198.51.100.0/24\r\n")
	r := startRun(t, "-listen", "127.0.0.1:0", "-ranges-file", path, "-interval", "1h")
	r.waitLog(t, "range list applied")
	if code, _, _ := fetchGET(t, r.addrs[0], "/", nil); code != 200 {
		t.Fatalf("listed 127.0.0.1 got %d", code)
	}
	replaceFile(t, path, "# offices\n127.0.0.1\n192.0.2.0/24 198.51.100.0/24\n")
	r.signals <- syscall.SIGHUP
	r.waitLog(t, "range list not applied; the last good list stays in force")
	if !strings.Contains(r.logs.String(), "line 3, column 1") {
		t.Errorf("the log does not give the line and column of the broken entry:\n%s", r.logs)
	}
	if code, _, _ := fetchGET(t, r.addrs[0], "/", nil); code != 200 {
		t.Errorf("after a broken file, 127.0.0.1 got %d; the last good list should stay", code)
	}
}
