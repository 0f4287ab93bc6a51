package main

import (
	"os"
	"strings"
	"testing"
)

// TestREADMEShowsThisProgram: the README's middleware snippet is this
// program, character for character after its doc comment, so the snippet
// compiles as written.
func TestREADMEShowsThisProgram(t *testing.T) {
	src, err := os.ReadFile("main.go")
	if err != nil {
		t.Fatal(err)
	}
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	body := string(src)
	body = body[strings.Index(body, "package main"):]
	block := "```go\n" + body + "```\n"
	if !strings.Contains(string(readme), block) {
		t.Errorf("README.md has no ```go block equal to examples/middleware/main.go from \"package main\" on; copy it there:\n%s", block)
	}
}
