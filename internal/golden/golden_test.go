package golden

import (
	"os"
	"path/filepath"
	"testing"
)

func TestDiff(t *testing.T) {
	if d := Diff("a\nb\n", "a\nb\n"); d != "" {
		t.Errorf("Diff of equal texts = %q", d)
	}
	if d, want := Diff("a\nb\n", "a\nc\n"), "line 2:\n- b\n+ c\n"; d != want {
		t.Errorf("Diff = %q, want %q", d, want)
	}
}

func TestCheck(t *testing.T) {
	path := filepath.Join(t.TempDir(), "x.golden")
	if err := os.WriteFile(path, []byte("same\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	Check(t, path, "same\n", "go test -update")
	ft := &fakeT{TB: t}
	Check(ft, path, "other\n", "go test -update")
	if !ft.failed {
		t.Error("Check passed a text that differs from the file")
	}
}

type fakeT struct {
	testing.TB
	failed bool
}

func (f *fakeT) Errorf(string, ...any) { f.failed = true }
func (f *fakeT) Helper()               {}
