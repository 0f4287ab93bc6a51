// Package golden compares what a test produced with a golden file, for the
// tests that keep ipallow's messages and sessions in review: a change of
// wording shows as a diff of the file.
package golden

import (
	"flag"
	"fmt"
	"os"
	"strings"
	"testing"
)

// Update is the -update flag of every test binary that imports the
// package: with it, Check rewrites the golden files instead of comparing.
var Update = flag.Bool("update", false, "rewrite the golden files from what the tests produce")

// Check compares got with the file at path and fails t with the lines that
// differ; with -update it writes got to path instead. rerun is the command
// that rewrites the file, for the failure message.
func Check(t testing.TB, path, got, rerun string) {
	t.Helper()
	if *Update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (%s creates it)", err, rerun)
	}
	if d := Diff(string(want), got); d != "" {
		t.Errorf("%s differs from what the code produces; if the change is meant, run %s and review the diff:\n%s", path, rerun, d)
	}
}

// Diff lists the lines that differ between want and got, "" when none do.
func Diff(want, got string) string {
	w, g := strings.Split(want, "\n"), strings.Split(got, "\n")
	var b strings.Builder
	for i := range max(len(w), len(g)) {
		var wl, gl string
		if i < len(w) {
			wl = w[i]
		}
		if i < len(g) {
			gl = g[i]
		}
		if wl != gl {
			fmt.Fprintf(&b, "line %d:\n- %s\n+ %s\n", i+1, wl, gl)
		}
	}
	return b.String()
}
