package allowlist

import (
	"fmt"
	"github.com/ipallow/ipallow/internal/golden"
	"slices"
	"strings"
	"testing"
)

const messagesGolden = "testdata/messages.golden"

// messageCase is one message in the golden file: its section (the kind
// of problem or finding), a label, and how to produce it.
type messageCase struct {
	kind, label string
	call        string // what produced the text, for the reader
	text        func() string
}

// parseCase renders the error of Parse(in, p), or its notes, and
// linesCase those of ParseLines.
func parseCase(kind, label, in string, p Policy, pname string) messageCase {
	return callCase(kind, label, "Parse", Parse, in, p, pname)
}

func linesCase(kind, label, in string, p Policy, pname string) messageCase {
	return callCase(kind, label, "ParseLines", ParseLines, in, p, pname)
}

func callCase(kind, label, name string, parse func(string, Policy) (List, error), in string, p Policy, pname string) messageCase {
	return messageCase{kind, label, fmt.Sprintf("%s(%q, %s)", name, in, pname), func() string { return render(parse(in, p)) }}
}

// render returns the error's message, or the list's parse notes.
func render(l List, err error) string {
	if err != nil {
		return err.Error()
	}
	var b strings.Builder
	for _, f := range l.parseNotes() {
		fmt.Fprintf(&b, "[%s] %s\n", f.Kind, f)
	}
	return strings.TrimSuffix(b.String(), "\n")
}

func messageCases() []messageCase {
	long := strings.Repeat("a", 120)
	cs := []messageCase{
		parseCase("EmptyEntry", "trailing comma", "73.140.245.0/24,", AKS, "AKS"),
		parseCase("EmptyEntry", "doubled comma", "73.140.245.0/24,,20.20.20.20", AKS, "AKS"),
		linesCase("EmptyEntry", "range file: comma at the end", "73.140.245.0/24,\n", AKS, "AKS"),

		parseCase("EgressOnlyMixed", "beside a range", "0.0.0.0/32,73.140.245.0/24", AKS, "AKS"),

		parseCase("IPv6", "global IPv6 under AKS", "2603:1000::/25", AKS, "AKS"),

		parseCase("NonCanonical", "both fixes accepted", "137.117.106.90/29", AKS, "AKS"),
		parseCase("NonCanonical", "only the range accepted", "10.1.0.0/7", AKS, "AKS"),
		parseCase("NonCanonical", "only the single address accepted", "192.0.0.9/24", AKS, "AKS"),
		parseCase("NonCanonical", "neither accepted", "203.0.113.77/24", AKS, "AKS"),
		parseCase("NonCanonical", "IPv6", "2001:db8::1/64", general, "Policy{}"),

		parseCase("NotGlobal", "private range", "10.0.0.0/8", AKS, "AKS"),
		parseCase("NotGlobal", "0.0.0.0 is not egress only", "0.0.0.0", AKS, "AKS"),

		parseCase("TooMany", "over the limit", "1.1.1.1,8.8.8.8,9.9.9.9", Policy{MaxEntries: 2}, "Policy{MaxEntries: 2}"),
		linesCase("TooMany", "range file", "1.1.1.1\n8.8.8.8, 9.9.9.9\n", Policy{MaxEntries: 2}, "Policy{MaxEntries: 2}"),

		parseCase("TooManyServiceTags", "second tag", "AzureCloud,20.20.20.20,Storage.EastUS", AKS, "AKS"),
		linesCase("TooManyServiceTags", "range file", "AzureCloud\nStorage\n", AKS, "AKS"),

		linesCase("NoEntries", "comments only, IPv4 only", "# none yet\n", AKS, "AKS"),
		linesCase("NoEntries", "empty, IPv6 allowed", "", general, "Policy{}"),

		linesCase("format", "line and column", "73.140.245.0/24\n  10.0.0.1 # old VPN\n", AKS, "AKS"),
		{"format", "bounded: the first 100 problems and a count", `Parse(strings.Repeat(",", 150), Policy{})`, func() string {
			_, err := Parse(strings.Repeat(",", 150), general)
			lines := strings.Split(err.Error(), "\n")
			return fmt.Sprintf("%s\n(%d lines like it)\n%s", lines[0], len(lines)-2, lines[len(lines)-1])
		}},
		parseCase("format", "long entries are cut", long, AKS, "AKS"),

		parseCase("LintTrimmed", "heredoc", "73.140.245.0/24,\n193.168.1.0/24\n", AKS, "AKS"),
		parseCase("LintTrimmed", "tag", "AzureCloud\u00a0", AKS, "AKS"),
		parseCase("LintTrimmed", "egress only", "0.0.0.0/32\r\n", AKS, "AKS"),
		linesCase("LintTrimmed", "range file", "\u3000AzureCloud\n", AKS, "AKS"),
		{"LintTrimmed", "more than 100 entries", `Parse(strings.Repeat("20.20.20.20\u00a0,", 101)+"20.20.20.20", Policy{TrimUnicodeSpace: true})`, func() string {
			l, _ := Parse(strings.Repeat("20.20.20.20\u00a0,", 101)+"20.20.20.20", Policy{TrimUnicodeSpace: true})
			ns := l.parseNotes()
			return ns[len(ns)-1].String()
		}},
	}
	malformed := []struct {
		label, in string
		p         Policy
		pname     string
	}{
		{"quotes: double", `"73.140.245.0/24"`, AKS, "AKS"},
		{"quotes: single", `'73.140.245.0/24'`, AKS, "AKS"},
		{"quotes: typographic", "\u201c73.140.245.0/24\u201d", AKS, "AKS"},
		{"quotes: around the whole list", `"73.140.245.0/24,193.168.1.0/24"`, AKS, "AKS"},
		{"quotes: empty", `""`, AKS, "AKS"},
		{"quotes: fix refused", `"10.0.0.1"`, AKS, "AKS"},
		{"JSON array", `["73.140.245.0/24", "193.168.1.0/24"]`, AKS, "AKS"},
		{"JSON array: empty", `[]`, AKS, "AKS"},
		{"separators: semicolons", "73.140.245.0/24;193.168.1.0/24", AKS, "AKS"},
		{"separators: tabs", "73.140.245.0/24\t193.168.1.0/24", AKS, "AKS"},
		{"separators: line breaks", "73.140.245.0/24\n193.168.1.0/24", general, "Policy{}"},
		{"separators: spaces", "73.140.245.0/24 193.168.1.0/24", AKS, "AKS"},
		{"separators: fix refused", "73.140.245.0/24;10.0.0.1", AKS, "AKS"},
		{"separators: stray semicolon", "73.140.245.0/24;", AKS, "AKS"},
		{"space inside", "73.140.245.0 /24", AKS, "AKS"},
		{"space inside, no fix", "73.140.245.7 junk", AKS, "AKS"},
		{"variable: $NAME", "$CURRENT_IP/24", AKS, "AKS"},
		{"variable: ${NAME}", "${CURRENT_IP}", AKS, "AKS"},
		{"variable: $(command)", "$(curl -s ifconfig.me)", AKS, "AKS"},
		{"variable: %NAME%", "%CURRENT_IP%", AKS, "AKS"},
		{"tag: lower case", "azurecloud", AKS, "AKS"},
		{"tag: lower case, no tags allowed", "azurecloud", general, "Policy{}"},
		{"tag: another provider's under AKS", "AWS.EC2.us-east-1", AKS, "AKS"},
		{"tag: with a prefix length", "AzureCloud/24", AKS, "AKS"},
		{"tag: not allowed", "AzureCloud", general, "Policy{}"},
		{"tag: ill-formed", "localhost", AKS, "AKS"},
		{"tag: ill-formed, provider grammar", "localhost", Providers, "Providers"},
		{"tag: ill-formed, no tags allowed", "localhost", general, "Policy{}"},
		{"invisible characters only", "\n\u00a0", AKS, "AKS"},
		{"invisible: no-break space, strictly", "\u00a073.140.245.0/24", general, "Policy{}"},
		{"invisible: zero width space", "73.140.245.0/24\u200b", AKS, "AKS"},
		{"invisible: byte order mark", "\ufeff73.140.245.0/24", AKS, "AKS"},
		{"non-ASCII: fullwidth digits", "\uff17\uff13.140.245.0/24", AKS, "AKS"},
		{"non-ASCII: other", "Azure\u0421loud", AKS, "AKS"},
		{"non-ASCII: not UTF-8", "73.140.245.0/24\xff", AKS, "AKS"},
		{"control character", "73.140.245.0/24\x00", AKS, "AKS"},
		{"brackets", "[73.140.245.7]", AKS, "AKS"},
		{"brackets and port", "[2603:1000::1]:443", general, "Policy{}"},
		{"zone", "fe80::1%eth0", general, "Policy{}"},
		{"address:port", "73.140.245.7:443", AKS, "AKS"},
		{"hexadecimal", "0x7f.0.0.1", AKS, "AKS"},
		{"integer", "2130706433", AKS, "AKS"},
		{"short form", "127.1", AKS, "AKS"},
		{"empty octet", "1.2..4", AKS, "AKS"},
		{"leading zero octet", "073.140.245.0/24", AKS, "AKS"},
		{"octet over 255", "1.2.3.256", AKS, "AKS"},
		{"netmask", "73.140.245.0/255.255.255.0", AKS, "AKS"},
		{"hostmask", "73.140.245.0/0.0.0.255", AKS, "AKS"},
		{"length: leading zero", "73.140.245.0/024", AKS, "AKS"},
		{"length: leading zero, fix has host bits", "73.140.245.0/08", AKS, "AKS"},
		{"length: too long", "73.140.245.0/33", AKS, "AKS"},
		{"length: not decimal", "73.140.245.0/+24", AKS, "AKS"},
		{"length: missing", "73.140.245.0/", AKS, "AKS"},
		{"address: missing", "/24", AKS, "AKS"},
		{"IPv6: invalid", "2001:db8:::1", general, "Policy{}"},
		{"IPv4-mapped", "::ffff:73.140.245.7", AKS, "AKS"},
		{"IPv4-mapped, private", "::ffff:10.0.0.1", AKS, "AKS"},
		{"IPv4-compatible", "::73.140.245.7", general, "Policy{}"},
		{"IPv4-compatible, IPv4 only", "::73.140.245.7", AKS, "AKS"},
		{"over-long", long + "b", AKS, "AKS"},
		{"over-long list on lines", strings.Repeat("73.140.245.0/24\n", 8), AKS, "AKS"},
		{"String of an empty list", "<empty>", AKS, "AKS"},
		{"String of an invalid list", "<invalid>", AKS, "AKS"},
	}
	for _, m := range malformed {
		cs = append(cs, parseCase("Malformed", m.label, m.in, m.p, m.pname))
	}
	slices.SortStableFunc(cs, func(a, b messageCase) int { return strings.Compare(a.kind, b.kind) })
	return cs
}

// TestMessages pins every message that Parse and ParseLines produce in
// testdata/messages.golden. After changing a message, run
//
//	go test ./allowlist -run TestMessages -update
//
// and review the diff of the golden file.
func TestMessages(t *testing.T) {
	var b strings.Builder
	b.WriteString("# The messages of allowlist.Parse and ParseLines, by kind of problem or finding.\n" +
		"# Regenerate with: go test ./allowlist -run TestMessages -update\n" +
		"# and review the diff: messages are product.\n")
	kinds := map[string]bool{}
	for _, c := range messageCases() {
		kinds[c.kind] = true
		text := c.text()
		if text == "" {
			t.Errorf("%s %s: %s gives no message", c.kind, c.label, c.call)
		}
		fmt.Fprintf(&b, "\n== %s: %s\n%s\n%s\n", c.kind, c.label, c.call, text)
	}
	for _, name := range kindNames {
		if !kinds[name] {
			t.Errorf("no message of kind %s", name)
		}
	}
	golden.Check(t, messagesGolden, b.String(), "go test ./allowlist -run Messages -update")
}
