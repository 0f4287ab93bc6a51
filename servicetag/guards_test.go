package servicetag

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// azureDoc renders a download with the given changeNumber and one AzureCloud
// tag holding prefixes (JSON strings, comma-separated).
func azureDoc(changeNumber int, prefixes string) string {
	return fmt.Sprintf(`{"changeNumber": %d, "cloud": "Public", "values": [%s]}`, changeNumber, entry("AzureCloud", prefixes))
}

// ten /24s, and the same list with some of them removed.
func tenPrefixes(drop int) string {
	var ps []string
	for i := drop; i < 10; i++ {
		ps = append(ps, fmt.Sprintf(`"20.0.%d.0/24"`, i))
	}
	return strings.Join(ps, ",")
}

func guardLoader(t *testing.T, s *server) *Loader {
	ts := httptest.NewServer(s)
	t.Cleanup(ts.Close)
	return &Loader{URL: ts.URL, Client: ts.Client(), Timeout: 2 * time.Second}
}

func TestLoaderShrinkHeldBackAndAccepted(t *testing.T) {
	s := &server{script: []func(http.ResponseWriter, *http.Request){
		serve(azureDoc(1, tenPrefixes(0)), `"v1"`),
		serve(azureDoc(2, tenPrefixes(1)), `"v2"`), // 10 % removed: allowed
		serve(azureDoc(3, tenPrefixes(9)), `"v3"`), // 8 of 9 removed: held back
	}}
	l := guardLoader(t, s)
	var events []ReloadEvent
	l.OnReload = func(e ReloadEvent) { events = append(events, e) }
	mustRefresh(t, l, true)
	mustRefresh(t, l, true) // exactly 10 % is not more than 10 %
	good := l.Document()
	re := expectKept(t, l, good, ErrShrink)
	var se *ShrinkError
	if !errors.As(re, &se) {
		t.Fatalf("error %v is not a *ShrinkError", re)
	}
	if se.Family != "IPv4" || se.Before != 9*256 || se.Removed != 8*256 || se.LostRanges == 0 {
		t.Errorf("ShrinkError = %+v", se)
	}
	if !strings.Contains(se.Error(), "removes 2048 of 2304 IPv4 addresses (88.9%") || !strings.Contains(se.Error(), "Loader.Accept") {
		t.Errorf("message %q", se.Error())
	}
	if l.Status().Pending != se.Hash {
		t.Errorf("Status().Pending = %v, want %v", l.Status().Pending, se.Hash)
	}
	if err := l.Accept(Hash{}); !errors.Is(err, ErrNotPending) {
		t.Errorf("Accept(zero hash) = %v, want ErrNotPending", err)
	}
	if l.Document() != good {
		t.Fatal("a wrong Accept changed the document")
	}
	if err := l.Accept(se.Hash); err != nil {
		t.Fatalf("Accept: %v", err)
	}
	if l.Document().ChangeNumber != 3 || l.Status().Err != nil || l.Status().Pending != (Hash{}) {
		t.Errorf("after Accept: %+v, status %+v", l.Document(), l.Status())
	}
	if last := events[len(events)-1]; !last.Applied || len(last.Change.Changed) != 1 {
		t.Errorf("Accept reported %+v", last)
	}
	// With the check off, the shrink is applied at once.
	s2 := &server{script: []func(http.ResponseWriter, *http.Request){serve(azureDoc(1, tenPrefixes(0)), ""), serve(azureDoc(2, tenPrefixes(9)), "")}}
	l2 := guardLoader(t, s2)
	l2.MaxShrink = -1
	mustRefresh(t, l2, true)
	mustRefresh(t, l2, true)
}

func TestLoaderVersionRegression(t *testing.T) {
	s := &server{script: []func(http.ResponseWriter, *http.Request){
		serve(azureDoc(5, tenPrefixes(0)), ""),
		serve(azureDoc(4, tenPrefixes(0)+`,"20.1.0.0/24"`), ""),
	}}
	l := guardLoader(t, s)
	mustRefresh(t, l, true)
	expectKept(t, l, l.Document(), ErrVersionRegression)
}

func TestLoaderRedirects(t *testing.T) {
	good := serve(azureDoc(1, tenPrefixes(0)), "")
	other := httptest.NewServer(http.HandlerFunc(good))
	t.Cleanup(other.Close)
	redirectTo := func(target string) func(http.ResponseWriter, *http.Request) {
		return func(w http.ResponseWriter, r *http.Request) { http.Redirect(w, r, target, http.StatusFound) }
	}

	t.Run("same host", func(t *testing.T) {
		s := &server{}
		ts := httptest.NewServer(s)
		t.Cleanup(ts.Close)
		s.script = []func(http.ResponseWriter, *http.Request){redirectTo("/moved"), good}
		l := &Loader{URL: ts.URL + "/old", Client: ts.Client()}
		mustRefresh(t, l, true)
	})
	t.Run("other host", func(t *testing.T) {
		s := &server{script: []func(http.ResponseWriter, *http.Request){good, redirectTo(other.URL + "/x")}}
		l := guardLoader(t, s)
		mustRefresh(t, l, true)
		re := expectKept(t, l, l.Document(), ErrRedirect)
		if !strings.Contains(re.Error(), "another host") {
			t.Errorf("message %q", re)
		}
		l2 := guardLoader(t, &server{script: []func(http.ResponseWriter, *http.Request){redirectTo(other.URL + "/x")}})
		l2.RedirectToOtherHosts = true
		mustRefresh(t, l2, true)
	})
	t.Run("https to http", func(t *testing.T) {
		s := &server{script: []func(http.ResponseWriter, *http.Request){good, redirectTo(other.URL + "/x")}}
		ts := httptest.NewTLSServer(s)
		t.Cleanup(ts.Close)
		l := &Loader{URL: ts.URL, Client: ts.Client(), RedirectToOtherHosts: true}
		mustRefresh(t, l, true)
		re := expectKept(t, l, l.Document(), ErrRedirect)
		if !strings.Contains(re.Error(), "from https to http") {
			t.Errorf("message %q", re)
		}
	})
}

func TestLoaderStale(t *testing.T) {
	recent := func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Last-Modified", time.Now().UTC().Format(http.TimeFormat))
		w.Write([]byte(azureDoc(1, tenPrefixes(0))))
	}
	l := guardLoader(t, &server{script: []func(http.ResponseWriter, *http.Request){recent}})
	l.MaxAge = time.Hour
	mustRefresh(t, l, true) // fresh: no error

	// serve() sends Last-Modified 2025-10-20: far older than an hour.
	old := guardLoader(t, &server{script: []func(http.ResponseWriter, *http.Request){serve(azureDoc(1, tenPrefixes(0)), `"v1"`)}})
	old.MaxAge = 14 * 24 * time.Hour
	var events []ReloadEvent
	old.OnReload = func(e ReloadEvent) { events = append(events, e) }
	err := old.Reload(context.Background())
	if !errors.Is(err, ErrStale) || old.Document() == nil {
		t.Fatalf("Reload = %v with document %v; want ErrStale with the document in force", err, old.Document())
	}
	if err := old.Reload(context.Background()); !errors.Is(err, ErrStale) { // 304: still stale
		t.Errorf("second Reload = %v, want ErrStale", err)
	}
	if len(events) != 2 || !events[0].Applied || !errors.Is(events[1].Err, ErrStale) {
		t.Errorf("events %+v, want applied then stale once", events)
	}
	if st := old.Status(); !errors.Is(st.Err, ErrStale) || st.DocumentTime.Year() != 2025 {
		t.Errorf("Status = %+v", st)
	}
}

func TestLoaderPaging(t *testing.T) {
	// page renders one Discovery API page with one tag and a nextLink.
	page := func(tag, next string) func(http.ResponseWriter, *http.Request) {
		return func(w http.ResponseWriter, r *http.Request) {
			link := ""
			if next != "" {
				link = `, "nextLink": "` + next + `"`
			}
			fmt.Fprintf(w, `{"name": "Public", "id": "x", "type": "Microsoft.Network/serviceTags", "changeNumber": "7", "cloud": "Public", "values": [%s]%s}`,
				entry(tag, `"20.0.0.0/24"`), link)
		}
	}
	mux := http.NewServeMux()
	ts := httptest.NewServer(mux)
	t.Cleanup(ts.Close)
	mux.HandleFunc("/three/1", page("A", ts.URL+"/three/2?page=2"))
	mux.HandleFunc("/three/2", page("B", "/three/3"))
	mux.HandleFunc("/three/3", page("C", ""))
	mux.HandleFunc("/loop/1", page("A", "/loop/2"))
	mux.HandleFunc("/loop/2", page("B", "/loop/1"))
	mux.HandleFunc("/dup/1", page("A", "/dup/2"))
	mux.HandleFunc("/dup/2", page("a", ""))
	for i := 1; i <= 60; i++ {
		mux.HandleFunc(fmt.Sprintf("/long/%d", i), page(fmt.Sprintf("T%d", i), fmt.Sprintf("/long/%d", i+1)))
	}

	l := &Loader{URL: ts.URL + "/three/1", Client: ts.Client()}
	mustRefresh(t, l, true)
	var names []string
	for _, tag := range l.Document().Tags {
		names = append(names, tag.Name)
	}
	if got := strings.Join(names, ","); got != "A,B,C" || l.Document().NextLink != "" {
		t.Errorf("tags %s, nextLink %q; want A,B,C and none", got, l.Document().NextLink)
	}
	if _, err := l.Lookup("c"); err != nil {
		t.Errorf("Lookup of a later page's tag: %v", err)
	}

	for _, tc := range []struct {
		path, want string
		maxPages   int
	}{
		{"/loop/1", "links back to", 0},
		{"/dup/1", "duplicate tag", 0},
		{"/long/1", "more than 50 pages", 0},
		{"/three/1", "more than 2 pages", 2},
		{"/three/1", "Loader.MaxSize bounds all pages together", -1}, // -1: a MaxSize that one page fits in, two do not
	} {
		good := &Loader{URL: ts.URL + "/three/1", Client: ts.Client()}
		mustRefresh(t, good, true)
		kept := good.Document()
		good.URL, good.MaxPages = ts.URL+tc.path, max(tc.maxPages, 0)
		if tc.maxPages < 0 {
			good.MaxSize = 600
		}
		good.MaxShrink = -1
		re := expectKept(t, good, kept, ErrPaging)
		if !strings.Contains(re.Error(), tc.want) {
			t.Errorf("%s: message %q lacks %q", tc.path, re, tc.want)
		}
	}
}

// awsDoc renders a minimal AWS ip-ranges.json.
func awsDoc(syncToken, createDate string) string {
	return `{"syncToken": "` + syncToken + `", "createDate": "` + createDate + `", "prefixes": [` +
		`{"ip_prefix": "3.5.140.0/22", "region": "ap-northeast-2", "service": "AMAZON", "network_border_group": "ap-northeast-2"}], ` +
		`"ipv6_prefixes": [{"ipv6_prefix": "2600:1f14::/35", "region": "us-west-2", "service": "EC2", "network_border_group": "us-west-2"}]}`
}

// TestLoaderFeedVersions: a Loader of another feed decodes it, refuses a
// syncToken or creation time that goes backwards, and takes the
// document's age from its creation time.
func TestLoaderFeedVersions(t *testing.T) {
	for _, tc := range []struct {
		name          string
		first, second string
		want          string
	}{
		{"syncToken", awsDoc("1753388594", "2025-07-24-20-23-14"), awsDoc("999999999", "2025-07-24-20-23-14"), "syncToken 999999999 after 1753388594"},
		{"createDate", awsDoc("", "2025-07-24-20-23-14"), awsDoc("", "2025-07-23-20-23-14"), "created 2025-07-23T20:23:14Z after 2025-07-24T20:23:14Z"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			l := guardLoader(t, &server{script: []func(http.ResponseWriter, *http.Request){serve(tc.first, ""), serve(tc.second, "")}})
			l.Feed = AWS
			mustRefresh(t, l, true)
			if _, err := l.Lookup("AWS.EC2.us-west-2"); err != nil {
				t.Fatalf("Lookup: %v", err)
			}
			re := expectKept(t, l, l.Document(), ErrVersionRegression)
			if !strings.Contains(re.Error(), tc.want) {
				t.Errorf("message %q lacks %q", re, tc.want)
			}
		})
	}
	l := guardLoader(t, &server{script: []func(http.ResponseWriter, *http.Request){serve(awsDoc("1", "2025-07-24-20-23-14"), "")}})
	l.Feed, l.MaxAge = AWS, 24*time.Hour
	if err := l.Reload(context.Background()); !errors.Is(err, ErrStale) || !strings.Contains(err.Error(), "more than Loader.MaxAge") {
		t.Errorf("Reload = %v, want ErrStale", err)
	}
	if got := l.Status().DocumentTime; !got.Equal(time.Date(2025, 7, 24, 20, 23, 14, 0, time.UTC)) {
		t.Errorf("DocumentTime = %v, want the document's createDate", got)
	}
}
