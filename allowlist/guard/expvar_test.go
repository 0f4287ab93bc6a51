package guard

import (
	"encoding/json"
	"errors"
	"expvar"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestPublish(t *testing.T) {
	m := new(Metrics)
	h := Middleware(NewHolder(mustSet(t, "192.0.2.0/24")), peerExtractor{}, WithMetrics(m))(okHandler)
	serve(h, "192.0.2.1:1")
	serve(h, "198.51.100.1:1")
	m.AddSource("ranges", func() SourceStatus { return SourceStatus{Applied: 1, Err: errors.New("cannot read")} })
	if err := m.Publish("guard_test_metrics"); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"guard_test_metrics", ""} {
		if err := new(Metrics).Publish(name); err == nil || !strings.HasPrefix(err.Error(), "guard: ") {
			t.Errorf("Publish(%q) again: %v, want an error", name, err)
		}
	}
	var got map[string]any
	if err := json.Unmarshal([]byte(expvar.Get("guard_test_metrics").String()), &got); err != nil {
		t.Fatal(err)
	}
	want := map[string]any{
		"Allowed":           map[string]any{"Entry": 0.0, "ServiceTag": 0.0, "Egress": 0.0, "Disabled": 0.0, "Set": 1.0},
		"Refused":           map[string]any{"List": 1.0, "Exception": 0.0, "NoSet": 0.0, "NoPeer": 0.0, "HeaderMissing": 0.0, "HeaderRepeated": 0.0, "Malformed": 0.0, "NoUntrustedHop": 0.0, "TooManyHops": 0.0, "Companion": 0.0, "OtherError": 0.0},
		"ReportOnly":        0.0,
		"ShadowWouldAllow":  0.0,
		"ShadowWouldRefuse": 0.0,
		"Requests":          2.0,
		"Sources":           map[string]any{"ranges": map[string]any{"Applied": 1.0, "Failed": 0.0, "Err": "cannot read"}},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("expvar (-want +got):\n%s", diff)
	}
}
