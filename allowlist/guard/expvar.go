package guard

import (
	"errors"
	"expvar"
	"fmt"
	"sync"
	"time"
)

// publishMu makes Publish's check and publication one step.
var publishMu sync.Mutex

// Publish publishes m with package expvar under name (served at
// /debug/vars by expvar's handler), as a JSON object that holds the fields
// of Counters, Requests, and Sources: the status of each source added with
// AddSource, by name, with Err as a string. The value is read each time
// expvar is read.
//
// Unlike expvar.Publish, Publish does not panic when name is taken: it
// returns an error, and m is not published.
func (m *Metrics) Publish(name string) error {
	if name == "" {
		return errors.New("guard: Publish with an empty name; name the variable, such as \"allowlist\"")
	}
	publishMu.Lock()
	defer publishMu.Unlock()
	if expvar.Get(name) != nil {
		return fmt.Errorf("guard: the expvar name %q is already published; publish these metrics under another name", name)
	}
	expvar.Publish(name, expvar.Func(m.expvarValue))
	return nil
}

// expvarMetrics is what Publish shows.
type expvarMetrics struct {
	Counters
	Requests uint64
	Sources  map[string]expvarSource `json:",omitempty"`
}

type expvarSource struct {
	Applied, Failed                        uint64
	LastApplied, LastChecked, DocumentTime time.Time `json:",omitzero"`
	Err                                    string    `json:",omitempty"`
}

func (m *Metrics) expvarValue() any {
	c := m.Snapshot()
	v := expvarMetrics{Counters: c, Requests: c.Requests()}
	for name, s := range m.Sources() {
		if v.Sources == nil {
			v.Sources = map[string]expvarSource{}
		}
		e := expvarSource{Applied: s.Applied, Failed: s.Failed, LastApplied: s.LastApplied, LastChecked: s.LastChecked, DocumentTime: s.DocumentTime}
		if s.Err != nil {
			e.Err = s.Err.Error()
		}
		v.Sources[name] = e
	}
	return v
}
