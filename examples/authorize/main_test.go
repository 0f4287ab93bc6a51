package main

import (
	"bytes"
	"encoding/json"
	"net/netip"
	"os"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"go4.org/netipx"
)

// Range files kept in the repository (see servicetag/testdata/SOURCES.md).
const (
	publicTags = "../../servicetag/testdata/ServiceTags_Public_20251020.json.gz"
	githubMeta = "../../servicetag/testdata/github_meta.json"
)

// invocation is one run of the command.
type invocation struct {
	name  string
	args  []string
	stdin string
}

// result is what a run printed and returned.
type result struct {
	status         int
	stdout, stderr string
}

// forbidden are texts that name Go identifiers of the library rather than
// the command's flags.
var forbidden = []string{"Resolver.", "Egress.", "()"}

// runCmd runs the command and checks that its output names no Go
// identifiers.
func runCmd(t *testing.T, inv invocation) result {
	t.Helper()
	var stdout, stderr bytes.Buffer
	status := run(inv.args, strings.NewReader(inv.stdin), &stdout, &stderr)
	r := result{status, stdout.String(), stderr.String()}
	for _, f := range forbidden {
		if strings.Contains(r.stdout, f) || strings.Contains(r.stderr, f) {
			t.Errorf("%s: output has %q:\nstdout:\n%s\nstderr:\n%s", inv.name, f, r.stdout, r.stderr)
		}
	}
	return r
}

// runJSON runs the command with -json and decodes its report.
func runJSON(t *testing.T, inv invocation) (int, report) {
	t.Helper()
	inv.args = append([]string{"-json"}, inv.args...)
	r := runCmd(t, inv)
	var rep report
	dec := json.NewDecoder(strings.NewReader(r.stdout))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&rep); err != nil {
		t.Fatalf("%s: stdout is not one report: %v\nstdout:\n%s\nstderr:\n%s", inv.name, err, r.stdout, r.stderr)
	}
	if dec.More() {
		t.Errorf("%s: more than one JSON document on stdout", inv.name)
	}
	return r.status, rep
}

func boolp(b bool) *bool { return &b }

// statusTests are runs and their exit status, with fragments of their
// output. Fragments of Parse's messages are kept to stable words.
var statusTests = []struct {
	invocation
	status     int
	stdout     []string
	stderr     []string
	notStdout  []string
	emptyStdio bool // nothing on stdout (usage errors)
}{
	{
		invocation: invocation{name: "no flags: the demonstration"},
		stdout: []string{
			"73.140.245.7           allowed by entry 0 73.140.245.0/24\n",
			"193.168.1.20           allowed by entry 1 193.168.1.0/24\n",
			"8.8.8.8                refused",
			"10.0.0.1               refused",
			"::ffff:73.140.245.7    allowed by entry 0 73.140.245.0/24\n",
		},
		notStdout: []string{"REFUSED", "LOCK-OUT"},
	},
	{
		invocation: invocation{name: "help", args: []string{"-h"}},
		stdout:     []string{"usage: authorize [flags] [ADDRESS ...]", "-current FILE", "-fit N", "exit status"},
	},
	{
		invocation: invocation{name: "bad flag", args: []string{"-bogus"}},
		status:     2, emptyStdio: true, stderr: []string{"-bogus", "authorize -h"},
	},
	{
		invocation: invocation{name: "bad address", args: []string{"-ranges", "73.140.245.0/24", "73.140.245.7:443"}},
		status:     2, emptyStdio: true, stderr: []string{`"73.140.245.7:443" is not an IP address`},
	},
	{
		invocation: invocation{name: "bad -me", args: []string{"-me", "my-laptop", "-ranges", "73.140.245.0/24"}},
		status:     2, emptyStdio: true, stderr: []string{`"my-laptop" is not an IP address`},
	},
	{
		invocation: invocation{name: "flag after an address", args: []string{"-ranges", "73.140.245.0/24", "73.140.245.7", "-json"}},
		status:     2, emptyStdio: true, stderr: []string{"flags go before the addresses"},
	},
	{
		invocation: invocation{name: "-diff without a current list", args: []string{"-diff", "73.140.245.0/24"}},
		status:     2, emptyStdio: true, stderr: []string{"-ranges LIST or -current FILE"},
	},
	{
		invocation: invocation{name: "-diff with -ranges and -current", args: []string{"-current", "testdata/ranges.tsv", "-ranges", "73.140.245.0/24", "-diff", "20.20.20.0/24"}},
		status:     2, emptyStdio: true, stderr: []string{"-current FILE -ranges NEW_LIST"},
	},
	{
		invocation: invocation{name: "-current empty name", args: []string{"-current", ""}},
		status:     2, emptyStdio: true, stderr: []string{"-current needs a FILE"},
	},
	{
		invocation: invocation{name: "-current missing file", args: []string{"-current", "testdata/nonexistent.json"}},
		status:     2, emptyStdio: true, stderr: []string{"-current", "nonexistent.json"},
	},
	{
		invocation: invocation{name: "-current not a cluster", args: []string{"-current", "-"}, stdin: `{"name": "x"}`},
		status:     2, emptyStdio: true, stderr: []string{"no apiServerAccessProfile or authorizedIpRanges", "az aks show"},
	},
	{
		invocation: invocation{name: "-current az aks list", args: []string{"-current", "-"}, stdin: `[{"name": "x"}]`},
		status:     2, emptyStdio: true, stderr: []string{"az aks list"},
	},
	{
		invocation: invocation{name: "-current bad JSON", args: []string{"-current", "-"}, stdin: `{"apiServerAccessProfile": `},
		status:     2, emptyStdio: true, stderr: []string{"invalid JSON"},
	},
	{
		invocation: invocation{name: "-egress zoned", args: []string{"-egress", "fe80::1%eth0", "-ranges", "73.140.245.0/24"}},
		status:     2, emptyStdio: true, stderr: []string{"-egress", "has a zone; give fe80::1"},
	},
	{
		invocation: invocation{name: "-egress host bits", args: []string{"-egress", "52.170.10.17/30", "-ranges", "73.140.245.0/24"}},
		status:     2, emptyStdio: true, stderr: []string{"-egress", "give 52.170.10.16/30"},
	},
	{
		invocation: invocation{name: "-egress mapped", args: []string{"-egress", "::ffff:52.170.10.20", "-ranges", "73.140.245.0/24"}},
		status:     2, emptyStdio: true, stderr: []string{"-egress", "give the IPv4 address 52.170.10.20"},
	},
	{
		invocation: invocation{name: "-api-server-ip prefix", args: []string{"-api-server-ip", "52.170.10.0/24"}},
		status:     2, emptyStdio: true, stderr: []string{"-api-server-ip", "without a prefix length"},
	},
	{
		invocation: invocation{name: "-node-public-prefixes bad", args: []string{"-node-public-prefixes", "20.1.2.3/28"}},
		status:     2, emptyStdio: true, stderr: []string{"-node-public-prefixes", "give 20.1.2.0/28"},
	},
	{
		invocation: invocation{name: "-extra-egress bad", args: []string{"-extra-egress", "nat-gateway"}},
		status:     2, emptyStdio: true, stderr: []string{"-extra-egress", "not an IP address or prefix"},
	},
	{
		invocation: invocation{name: "-fit over the limit", args: []string{"-ranges", "73.140.245.0/24", "-fit", "201"}},
		status:     2, emptyStdio: true, stderr: []string{"-fit 201", "at most 200", "-vnet-integration"},
	},
	{
		invocation: invocation{name: "-fit negative", args: []string{"-ranges", "73.140.245.0/24", "-fit", "-1"}},
		status:     2, emptyStdio: true, stderr: []string{"-fit -1"},
	},
	{
		invocation: invocation{name: "-fit with no room beside the tag", args: []string{"-service-tags", publicTags, "-ranges", "AzureCloud,20.20.20.20", "-fit", "1"}},
		status:     2, emptyStdio: true, stderr: []string{"-fit 1", "give -fit 2 or more"},
	},
	{
		invocation: invocation{name: "tag without -service-tags", args: []string{"-ranges", "AzureCloud,20.20.20.20", "20.20.20.20"}},
		status:     2, emptyStdio: true, stderr: []string{"pass the service-tag download with -service-tags FILE"},
	},
	{
		invocation: invocation{name: "current tag without -service-tags", args: []string{"-current", "-", "-ranges", "20.20.20.20"}, stdin: `["AzureCloud"]`},
		status:     2, emptyStdio: true, stderr: []string{"the current list (standard input)", "-service-tags FILE"},
	},
	{
		invocation: invocation{name: "unknown feed", args: []string{"-service-tags", "asw:ip-ranges.json", "-ranges", "AWS"}},
		status:     2, emptyStdio: true, stderr: []string{`unknown feed "asw"`, "aws"},
	},
	{
		invocation: invocation{name: "missing tag file", args: []string{"-service-tags", "testdata/ServiceTags_Public_19700101.json", "-ranges", "AzureCloud"}},
		status:     2, emptyStdio: true, stderr: []string{"-service-tags", "ServiceTags_Public_19700101.json"},
	},
	{
		invocation: invocation{name: "two weeks of one cloud", args: []string{"-service-tags", publicTags + "," + publicTags, "-ranges", "AzureCloud"}},
		status:     2, emptyStdio: true, stderr: []string{`both hold the tag "ActionGroup"`, "give each tag in one file only"},
	},
	{
		invocation: invocation{name: "not a range file", args: []string{"-service-tags", "testdata/cluster.json", "-ranges", "AzureCloud"}},
		status:     2, emptyStdio: true, stderr: []string{"-service-tags testdata/cluster.json", "name it (for example aws:FILE)"},
	},
	{
		invocation: invocation{name: "a tag of another provider, feed detected", args: []string{"-service-tags", "../../servicetag/testdata/aws_ip-ranges.json.gz", "-ranges", "AWS", "-json"}},
		status:     1, stdout: []string{`"kind": "not-azure-tag"`, `"tags": 612`, `"syncToken": "1753388594"`},
	},
	{
		invocation: invocation{name: "over the limit with an unknown tag and -fit", args: []string{"-service-tags", publicTags, "-fit", "200",
			"-ranges", "AzureCloud.westeuropee," + strings.Repeat("20.20.20.20,", 200) + "20.20.20.20"}},
		status: 1, stdout: []string{`entry 0 "AzureCloud.westeuropee"`, "AzureCloud.westeurope", "entry 200 "},
	},
	{
		invocation: invocation{name: "invalid list", args: []string{"-ranges", "73.140.245.0/24,137.117.106.90/29,10.0.0.0/8,", "73.140.245.7"}},
		status:     1,
		stdout:     []string{"fix these 3 problem(s)", `entry 1 "137.117.106.90/29"`, "137.117.106.88/29", `entry 2 "10.0.0.0/8"`, `entry 3 ""`},
		notStdout:  []string{"allowed", "az aks update"},
	},
	{
		invocation: invocation{name: "over the limit without -fit", args: []string{"-ranges", strings.Repeat("20.20.20.20,", 200) + "20.20.20.20"}},
		status:     1,
		stdout:     []string{"-fit 200 merges the list"},
	},
	{
		invocation: invocation{name: "valid, every address allowed", args: []string{"-ranges", "73.140.245.0/24", "73.140.245.7"}},
		stdout:     []string{"73.140.245.7           allowed by entry 0 73.140.245.0/24\n", "every address given is allowed"},
	},
	{
		invocation: invocation{name: "valid, an address refused", args: []string{"-ranges", "73.140.245.0/24", "73.140.245.7", "8.8.8.8"}},
		status:     3,
		stdout:     []string{"REFUSED: 8.8.8.8 would be refused by this list"},
	},
	{
		invocation: invocation{name: "update that locks out an operator", args: []string{"-ranges", defaultRanges, "-diff", "73.140.245.0/24,203.0.114.0/24", "193.168.1.20", "73.140.245.7"}},
		status:     3,
		stdout: []string{
			"gains access: 1 prefix(es)\n  203.0.114.0/24\n",
			"loses access: 2 prefix(es)\n  193.168.1.0/24\n  194.168.1.0/24\n",
			"LOCK-OUT: 193.168.1.20 would lose access (allowed now by entry 1 193.168.1.0/24)",
		},
		notStdout: []string{"LOCK-OUT: 73.140.245.7"},
	},
	{
		invocation: invocation{name: "update refusing an address that had no access", args: []string{"-ranges", "73.140.245.0/24", "-diff", "73.140.245.0/24,203.0.114.0/24", "8.8.8.8"}},
		status:     3,
		stdout:     []string{"REFUSED: 8.8.8.8 has no access now and gets none from the new list"},
	},
	{
		invocation: invocation{name: "-diff with no addresses checks no demonstration addresses", args: []string{"-ranges", defaultRanges, "-diff", "73.140.245.0/24"}},
		stdout:     []string{"loses access: 2 prefix(es)"},
		notStdout:  []string{"8.8.8.8", "10.0.0.1", "LOCK-OUT", "REFUSED"},
	},
	{
		invocation: invocation{name: "invalid update", args: []string{"-ranges", defaultRanges, "-diff", "10.0.0.0/8", "73.140.245.7"}},
		status:     1,
		stdout:     []string{"AKS would refuse this list", `entry 0 "10.0.0.0/8"`},
	},
	{
		invocation: invocation{name: "disabled", args: []string{"-ranges", "", "8.8.8.8"}},
		stdout:     []string{"the API server becomes reachable from the whole internet", "8.8.8.8                allowed by disabled"},
	},
	{
		invocation: invocation{name: "egress only", args: []string{"-ranges", "0.0.0.0/32", "-egress", "52.170.10.20", "52.170.10.20"}},
		stdout:     []string{"52.170.10.20           allowed by egress 52.170.10.20/32"},
	},
	{
		invocation: invocation{name: "egress only refuses the operator", args: []string{"-ranges", "0.0.0.0/32", "-egress", "52.170.10.20", "-me", "73.140.245.7"}},
		status:     3,
		stdout:     []string{"REFUSED: 73.140.245.7"},
	},
	{
		invocation: invocation{name: "list plus outbound prefix and API server", args: []string{"-ranges", "73.140.245.0/24", "-egress", "52.170.10.16/30", "-api-server-ip", "20.50.1.2", "52.170.10.17", "20.50.1.2"}},
		stdout:     []string{"52.170.10.17           allowed by egress 52.170.10.16/30", "20.50.1.2              allowed by egress 20.50.1.2/32"},
	},
	{
		invocation: invocation{name: "node prefix not covered", args: []string{"-ranges", "73.140.245.0/24", "-node-public-prefixes", "20.1.2.0/28"}},
		status:     3,
		stdout:     []string{"LOCK-OUT: node public IP prefix 20.1.2.0/28 is not allowed"},
	},
	{
		invocation: invocation{name: "extra egress not covered", args: []string{"-ranges", "73.140.245.0/24", "-extra-egress", "20.1.2.3"}},
		status:     3,
		stdout:     []string{"LOCK-OUT: egress 20.1.2.3/32 is not allowed"},
	},
	{
		invocation: invocation{name: "extra egress covered", args: []string{"-ranges", "73.140.245.0/24,20.1.2.3", "-extra-egress", "20.1.2.3"}},
		notStdout:  []string{"LOCK-OUT"},
	},
	{
		invocation: invocation{name: "findings without -strict", args: []string{"-ranges", "73.140.245.0/24,73.140.245.7"}},
		stdout:     []string{`warning: entry 1 "73.140.245.7/32"`},
	},
	{
		invocation: invocation{name: "findings with -strict", args: []string{"-strict", "-ranges", "73.140.245.0/24,73.140.245.7"}},
		status:     3,
	},
	{
		invocation: invocation{name: "service tag with the real Public download", args: []string{"-service-tags", publicTags, "-ranges", "AzureCloud,20.20.20.20", "20.20.20.20", "20.33.0.1"}},
		stdout: []string{
			"service tags: Public cloud, changeNumber 374",
			"20.20.20.20            allowed by entry 0 20.20.20.20/32",
			"20.33.0.1              allowed by service tag AzureCloud ",
			"aks-preview", "EnableServiceTagAuthorizedIPPreview",
		},
	},
	{
		invocation: invocation{name: "service tag, feed named", args: []string{"-service-tags", "azure:" + publicTags, "-ranges", "AzureCloud", "20.33.0.1"}},
		stdout:     []string{"allowed by service tag AzureCloud"},
	},
	{
		invocation: invocation{name: "unknown tag gets suggestions", args: []string{"-service-tags", publicTags, "-ranges", "AzureCloud.francecentral", "8.8.8.8"}},
		status:     1,
		stdout:     []string{"AzureCloud.centralfrance"},
	},
	{
		invocation: invocation{name: "a tag of another provider", args: []string{"-service-tags", publicTags + ",github:" + githubMeta, "-ranges", "GitHub.actions,20.20.20.20"}},
		status:     1,
		stdout:     []string{`entry 0 "GitHub.actions"`, "github feed", "Azure service tags only"},
	},
	{
		invocation: invocation{name: "private cluster", args: []string{"-current", "testdata/profile-private.json", "-ranges", "73.140.245.0/24"}},
		stdout:     []string{"a private cluster", "not support authorized IP ranges on private clusters"},
		notStdout:  []string{"update from the current list"},
	},
	{
		invocation: invocation{name: "current only", args: []string{"-current", "testdata/cluster.json", "-me", "73.140.245.7"}},
		stdout:     []string{"ranges (current, from testdata/cluster.json)", "73.140.245.7           allowed by entry 0 73.140.245.0/24\n"},
		notStdout:  []string{"az aks update --", "update from the current list"},
	},
	{
		invocation: invocation{name: "current invalid", args: []string{"-current", "-", "-ranges", "73.140.245.0/24"}, stdin: "73.140.245.0/24\n1.2.3.4/8\n"},
		status:     1,
		stdout:     []string{"current (standard input): invalid", `entry 1 "1.2.3.4/8"`},
	},
}

func TestStatus(t *testing.T) {
	for _, tt := range statusTests {
		t.Run(tt.name, func(t *testing.T) {
			r := runCmd(t, tt.invocation)
			if r.status != tt.status {
				t.Errorf("status %d, want %d\nstdout:\n%s\nstderr:\n%s", r.status, tt.status, r.stdout, r.stderr)
			}
			for _, want := range tt.stdout {
				if !strings.Contains(r.stdout, want) {
					t.Errorf("stdout lacks %q:\n%s", want, r.stdout)
				}
			}
			for _, bad := range tt.notStdout {
				if strings.Contains(r.stdout, bad) {
					t.Errorf("stdout has %q:\n%s", bad, r.stdout)
				}
			}
			for _, want := range tt.stderr {
				if !strings.Contains(r.stderr, want) {
					t.Errorf("stderr lacks %q:\n%s", want, r.stderr)
				}
			}
			if tt.emptyStdio && r.stdout != "" {
				t.Errorf("stdout on a usage error:\n%s", r.stdout)
			}
			if r.status != 2 && r.stderr != "" {
				t.Errorf("stderr without a usage error:\n%s", r.stderr)
			}
		})
	}
}

// ignoreText leaves out what the library words: the messages of problems
// and findings.
var ignoreText = cmp.Options{
	cmpopts.IgnoreUnexported(report{}, current{}, tagSource{}),
	cmpopts.IgnoreFields(problem{}, "Message"),
	cmpopts.IgnoreFields(finding{}, "Message"),
}

const (
	cmdPrefix   = "az aks update --resource-group RG --name NAME --api-server-authorized-ip-ranges "
	notesUpdate = notePropagation
)

func TestJSON(t *testing.T) {
	tests := []struct {
		invocation
		status int
		want   report
	}{
		{
			invocation: invocation{name: "lock-out caught", args: []string{"-current", "testdata/cluster.json", "-ranges", "73.140.245.0/24,20.20.20.0/24",
				"-me", "73.140.245.7", "193.168.1.20"}},
			status: 3,
			want: report{
				Input: "73.140.245.0/24,20.20.20.0/24", Valid: true, List: "73.140.245.0/24,20.20.20.0/24", Mode: "restricted",
				Entries: 2, Limit: 200, ServiceTags: []string{}, Problems: []problem{}, Findings: []finding{}, EnforcedPrefixes: 2,
				TagSources: []tagSource{},
				Decisions: []decision{
					{Address: "73.140.245.7", Allowed: true, Rule: "entry 0 73.140.245.0/24", AllowedNow: boolp(true), RuleNow: "entry 0 73.140.245.0/24"},
					{Address: "193.168.1.20", Allowed: false, AllowedNow: boolp(true), RuleNow: "entry 1 193.168.1.0/24"},
				},
				Current: &current{Source: "testdata/cluster.json", Shape: "cluster", Valid: true, List: defaultRanges, Mode: "restricted",
					Entries: 3, Problems: []problem{}},
				Diff:              &diff{Gained: []string{"20.20.20.0/24"}, Lost: []string{"193.168.1.0/24", "194.168.1.0/24"}},
				LockedOut:         []string{"193.168.1.20"},
				Command:           cmdPrefix + "73.140.245.0/24,20.20.20.0/24",
				CommandPowerShell: cmdPrefix + "'73.140.245.0/24,20.20.20.0/24'",
				Notes:             []string{notePropagation, noteImplicit},
			},
		},
		{
			invocation: invocation{name: "invalid list", args: []string{"-ranges", "73.140.245.0/24, 137.117.106.90/29,10.0.0.0/8,,AzureCloud,Storage", "73.140.245.7"}},
			status:     1,
			want: report{
				Input: "73.140.245.0/24, 137.117.106.90/29,10.0.0.0/8,,AzureCloud,Storage", Limit: 200,
				ServiceTags: []string{}, Findings: []finding{}, TagSources: []tagSource{}, Decisions: []decision{}, LockedOut: []string{}, Notes: []string{},
				Problems: []problem{
					{Index: 1, Entry: "137.117.106.90/29", Kind: "non-canonical", Fix: "137.117.106.88/29"},
					{Index: 2, Entry: "10.0.0.0/8", Kind: "not-global"},
					{Index: 3, Entry: "", Kind: "empty-entry"},
					{Index: 5, Entry: "Storage", Kind: "too-many-service-tags"},
				},
			},
		},
		{
			invocation: invocation{name: "findings, disabled current", args: []string{"-current", "testdata/cluster-disabled.json",
				"-ranges", "0.0.0.0/1,73.140.245.0/24,73.140.245.7", "-egress", "52.170.10.20", "-resource-group", "rg-dev", "-name", "dev-01"}},
			want: report{
				Input: "0.0.0.0/1,73.140.245.0/24,73.140.245.7", Valid: true, List: "0.0.0.0/1,73.140.245.0/24,73.140.245.7/32", Mode: "restricted",
				Entries: 3, Limit: 200, ServiceTags: []string{}, Problems: []problem{}, EnforcedPrefixes: 1, TagSources: []tagSource{},
				Findings: []finding{
					{Kind: "broad", Index: 0, Entry: "0.0.0.0/1"},
					{Kind: "non-global", Index: 0, Entry: "0.0.0.0/1"},
					{Kind: "covered", Index: 1, Entry: "73.140.245.0/24"},
					{Kind: "covered", Index: 2, Entry: "73.140.245.7/32"},
				},
				Decisions: []decision{},
				Current:   &current{Source: "testdata/cluster-disabled.json", Shape: "cluster", Valid: true, Mode: "disabled", Problems: []problem{}},
				Diff: &diff{Gained: []string{}, WasOpen: true, Lost: []string{
					"128.0.0.0/1", "::/0",
				}},
				LockedOut:         []string{},
				Command:           "az aks update --resource-group rg-dev --name dev-01 --api-server-authorized-ip-ranges 0.0.0.0/1,73.140.245.0/24,73.140.245.7/32",
				CommandPowerShell: "az aks update --resource-group rg-dev --name dev-01 --api-server-authorized-ip-ranges '0.0.0.0/1,73.140.245.0/24,73.140.245.7/32'",
				Notes:             []string{notePropagation},
			},
		},
		{
			invocation: invocation{name: "disable", args: []string{"-current", "testdata/ranges.json", "-ranges", "", "-me", "73.140.245.7"}},
			want: report{
				Input: "", Valid: true, List: "", Mode: "disabled", Limit: 200, EnforcedPrefixes: 2,
				ServiceTags: []string{}, Problems: []problem{}, Findings: []finding{}, TagSources: []tagSource{},
				Decisions: []decision{{Address: "73.140.245.7", Allowed: true, Rule: "disabled 0.0.0.0/0", AllowedNow: boolp(true), RuleNow: "entry 0 73.140.245.0/24"}},
				Current: &current{Source: "testdata/ranges.json", Shape: "authorizedIpRanges", Valid: true, List: defaultRanges, Mode: "restricted",
					Entries: 3, Problems: []problem{}},
				Diff: &diff{OpensToInternet: true, Lost: []string{}, Gained: []string{
					"0.0.0.0/2", "64.0.0.0/5", "72.0.0.0/8", "73.0.0.0/9", "73.128.0.0/13", "73.136.0.0/14", "73.140.0.0/17", "73.140.128.0/18",
				}},
				LockedOut:         []string{},
				Command:           cmdPrefix + `""`,
				CommandPowerShell: cmdPrefix[:len(cmdPrefix)-1] + `=""`,
				Notes:             []string{notePropagation, noteDisabled},
			},
		},
		{
			invocation: invocation{name: "service tag", args: []string{"-service-tags", publicTags, "-ranges", "AzureCloud,20.20.20.20", "20.33.0.1"}},
			status:     0,
			want: report{
				Input: "AzureCloud,20.20.20.20", Valid: true, List: "20.20.20.20/32,AzureCloud", Mode: "restricted", Entries: 2, Limit: 200,
				ServiceTags: []string{"AzureCloud"}, Problems: []problem{}, Findings: []finding{}, EnforcedPrefixes: 3207,
				TagSources: []tagSource{{File: publicTags, Feed: "azure", Cloud: "Public", ChangeNumber: 374, Tags: 3039, Content: "c1308979cbe4"}},
				Decisions:  []decision{{Address: "20.33.0.1", Allowed: true, Rule: "service tag AzureCloud 20.33.0.0/24"}},
				LockedOut:  []string{},
				Command:    cmdPrefix + "20.20.20.20/32,AzureCloud", CommandPowerShell: cmdPrefix + "'20.20.20.20/32,AzureCloud'",
				Notes: []string{notePropagation,
					"the list names the service tag AzureCloud: az aks update needs the aks-preview extension (az extension add --name aks-preview) and the EnableServiceTagAuthorizedIPPreview feature (az feature register --namespace Microsoft.ContainerService --name EnableServiceTagAuthorizedIPPreview)",
					noteImplicit, noteReplaces},
			},
		},
		{
			invocation: invocation{name: "unknown tag", args: []string{"-service-tags", publicTags, "-ranges", "20.20.20.20, AzureCloud.francecentral"}},
			status:     1,
			want: report{
				Input: "20.20.20.20, AzureCloud.francecentral", Limit: 200,
				ServiceTags: []string{}, Findings: []finding{}, Decisions: []decision{}, LockedOut: []string{},
				Notes:      []string{"the list names the service tag AzureCloud.francecentral: az aks update needs the aks-preview extension (az extension add --name aks-preview) and the EnableServiceTagAuthorizedIPPreview feature (az feature register --namespace Microsoft.ContainerService --name EnableServiceTagAuthorizedIPPreview)"},
				TagSources: []tagSource{{File: publicTags, Feed: "azure", Cloud: "Public", ChangeNumber: 374, Tags: 3039, Content: "c1308979cbe4"}},
				Problems:   []problem{{Index: 1, Entry: "AzureCloud.francecentral", Kind: "unknown-tag"}},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, got := runJSON(t, tt.invocation)
			if status != tt.status {
				t.Errorf("status %d, want %d", status, tt.status)
			}
			if tt.want.Diff != nil && got.Diff != nil && len(tt.want.Diff.Gained) > 0 && len(got.Diff.Gained) > len(tt.want.Diff.Gained) {
				got.Diff.Gained = got.Diff.Gained[:len(tt.want.Diff.Gained)] // the complement of a list is long
			}
			if diff := cmp.Diff(tt.want, got, ignoreText); diff != "" {
				t.Errorf("report (-want +got):\n%s", diff)
			}
			for _, p := range got.Problems {
				if p.Message == "" {
					t.Errorf("problem %+v has no message", p)
				}
			}
		})
	}
}

// TestCurrentShapes reads the current list in every shape az aks show
// prints, from a file and from stdin.
func TestCurrentShapes(t *testing.T) {
	tests := []struct {
		file, shape string
		list        string // "" for disabled
		private     bool
	}{
		{"testdata/cluster.json", "cluster", defaultRanges, false},
		{"testdata/cluster-rest.json", "cluster", defaultRanges, false},
		{"testdata/cluster-disabled.json", "cluster", "", false},
		{"testdata/profile.json", "apiServerAccessProfile", defaultRanges, false},
		{"testdata/profile-private.json", "apiServerAccessProfile", "", true},
		{"testdata/ranges.json", "authorizedIpRanges", defaultRanges, false},
		{"testdata/ranges.tsv", "text", defaultRanges, false},
	}
	for _, tt := range tests {
		data, err := os.ReadFile(tt.file)
		if err != nil {
			t.Fatal(err)
		}
		for _, fromStdin := range []bool{false, true} {
			inv := invocation{name: tt.file, args: []string{"-current", tt.file, "-ranges", "73.140.245.0/24", "-me", "193.168.1.20"}}
			source := tt.file
			if fromStdin {
				inv.name += " on stdin"
				inv.args[1], inv.stdin, source = "-", string(data), "standard input"
			}
			t.Run(inv.name, func(t *testing.T) {
				status, rep := runJSON(t, inv)
				mode := "restricted"
				if tt.list == "" {
					mode = "disabled"
				}
				want := &current{Source: source, Shape: tt.shape, Valid: true, List: tt.list, Mode: mode,
					Entries: strings.Count(tt.list, ",") + 1, Problems: []problem{}, PrivateCluster: tt.private}
				if tt.list == "" {
					want.Entries = 0
				}
				if diff := cmp.Diff(want, rep.Current, ignoreText); diff != "" {
					t.Errorf("current (-want +got):\n%s", diff)
				}
				// 193.168.1.20 is allowed by every current list, and refused by the new one.
				if status != 3 || !cmp.Equal(rep.LockedOut, []string{"193.168.1.20"}) {
					t.Errorf("status %d, lockedOut %q; want 3, [193.168.1.20]", status, rep.LockedOut)
				}
				if tt.private {
					if rep.Diff != nil {
						t.Errorf("a diff for a private cluster: %+v", rep.Diff)
					}
				} else if rep.Diff == nil || len(rep.Diff.Lost) == 0 {
					t.Errorf("diff %+v, want lost ranges", rep.Diff)
				}
			})
		}
	}
}

func TestDecodeCurrent(t *testing.T) {
	utf16le := func(s string) string {
		b := []byte{0xFF, 0xFE}
		for _, r := range s {
			b = append(b, byte(r), byte(r>>8))
		}
		return string(b)
	}
	tests := []struct {
		name, in string
		want     currentInput
		err      string
	}{
		{name: "empty: what -o tsv prints for null", in: "\n", want: currentInput{shape: "text"}},
		{name: "null", in: "null\n", want: currentInput{shape: "authorizedIpRanges"}},
		{name: "empty array", in: "[]", want: currentInput{shape: "authorizedIpRanges"}},
		{name: "comma list", in: "73.140.245.0/24, 193.168.1.0/24", want: currentInput{text: "73.140.245.0/24,193.168.1.0/24", shape: "text"}},
		{name: "CRLF list", in: "73.140.245.0/24\r\n193.168.1.0/24\r\n", want: currentInput{text: "73.140.245.0/24,193.168.1.0/24", shape: "text"}},
		{name: "JSON string", in: `"73.140.245.0/24,193.168.1.0/24"`, want: currentInput{text: "73.140.245.0/24,193.168.1.0/24", shape: "text"}},
		{name: "UTF-8 BOM", in: "\xEF\xBB\xBF[\"73.140.245.0/24\"]", want: currentInput{text: "73.140.245.0/24", shape: "authorizedIpRanges"}},
		{name: "UTF-16 from Windows PowerShell", in: utf16le("{\"apiServerAccessProfile\": {\"authorizedIpRanges\": [\"73.140.245.0/24\"]}}\r\n"),
			want: currentInput{text: "73.140.245.0/24", shape: "cluster"}},
		{name: "profile with VNet integration", in: `{"authorizedIpRanges": ["73.140.245.0/24"], "enableVnetIntegration": true}`,
			want: currentInput{text: "73.140.245.0/24", shape: "apiServerAccessProfile", vnet: true}},
		{name: "REST spelling", in: `{"properties": {"apiServerAccessProfile": {"authorizedIPRanges": ["73.140.245.0/24"]}}}`,
			want: currentInput{text: "73.140.245.0/24", shape: "cluster"}},
		{name: "REST cluster without a profile", in: `{"properties": {"kubernetesVersion": "1.33.3"}}`, want: currentInput{shape: "cluster"}},
		{name: "element with a comma", in: `["73.140.245.0/24,193.168.1.0/24"]`, err: "holds a comma"},
		{name: "element not a string", in: `["73.140.245.0/24", 5]`, err: "the array[1] is a JSON number"},
		{name: "ranges not an array", in: `{"authorizedIpRanges": "73.140.245.0/24"}`, err: "authorizedIpRanges is a JSON string"},
		{name: "profile not an object", in: `{"apiServerAccessProfile": []}`, err: "apiServerAccessProfile is a JSON array"},
		{name: "two values", in: `[] []`, err: "more data after the first value"},
		{name: "number", in: `5`, want: currentInput{text: "5", shape: "text"}}, // a plain list; Parse refuses it
		{name: "JSON true", in: `true`, want: currentInput{text: "true", shape: "text"}},
		{name: "odd UTF-16", in: "\xFF\xFE[", err: "odd number of bytes"},
		{name: "az aks list", in: `[{"name": "a"}]`, err: "az aks list"},
		{name: "REST list", in: `{"value": []}`, err: "az aks list"},
		{name: "other object", in: `{"name": "a"}`, err: "az aks show"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := decodeCurrent([]byte(tt.in))
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("error %v, want one with %q", err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, got, cmp.AllowUnexported(currentInput{})); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

// pasteTests are lists pasted the wrong way: each is refused (exit 1) with
// the element that went wrong.
var pasteTests = []struct {
	name, ranges string
	index        int
	kind         string
}{
	{"surrounding quotes", `"73.140.245.0/24,20.20.20.0/24"`, 0, "malformed"},
	{"single quotes", `'73.140.245.0/24'`, 0, "malformed"},
	{"a JSON array", `["73.140.245.0/24","20.20.20.0/24"]`, 0, "malformed"},
	{"tab separator", "73.140.245.0/24\t20.20.20.0/24", 0, "malformed"},
	{"newline separator", "73.140.245.0/24\n20.20.20.0/24", 0, "malformed"},
	{"semicolon separator", "73.140.245.0/24;20.20.20.0/24", 0, "malformed"},
	{"space separator", "73.140.245.0/24 20.20.20.0/24", 0, "malformed"},
	{"unexpanded variable", "73.140.245.0/24,$CURRENT_IP/24", 1, "malformed"},
	{"variable expanded to nothing", "73.140.245.0/24,/24", 1, "malformed"},
	{"lowercase tag", "azurecloud,20.20.20.20", 0, "malformed"},
	{"trailing comma", "73.140.245.0/24,", 1, "empty-entry"},
	{"host bits", "137.117.106.90/29", 0, "non-canonical"},
	{"egress only beside others", "0.0.0.0/32,73.140.245.0/24", 0, "egress-only-mixed"},
	{"IPv6", "2001:4860::/32", 0, "ipv6"},
}

func TestPasteMistakes(t *testing.T) {
	for _, tt := range pasteTests {
		t.Run(tt.name, func(t *testing.T) {
			status, rep := runJSON(t, invocation{name: tt.name, args: []string{"-ranges", tt.ranges, "73.140.245.7"}})
			if status != 1 || rep.Valid {
				t.Errorf("status %d, valid %v; want 1, false", status, rep.Valid)
			}
			if len(rep.Problems) == 0 {
				t.Fatal("no problem reported")
			}
			p := rep.Problems[0]
			if p.Index != tt.index || p.Kind != tt.kind || p.Message == "" {
				t.Errorf("first problem %+v, want index %d, kind %s and a message", p, tt.index, tt.kind)
			}
			if rep.Command != "" || len(rep.Decisions) > 0 {
				t.Errorf("an invalid list got a command or decisions: %+v", rep)
			}
			// The text output says the same.
			r := runCmd(t, invocation{name: tt.name, args: []string{"-ranges", tt.ranges}})
			if r.status != 1 || !strings.Contains(r.stdout, "AKS would refuse this list") {
				t.Errorf("text: status %d, stdout:\n%s", r.status, r.stdout)
			}
		})
	}
}

// TestFit250 fits the 250-entry list in testdata into 200 entries, and
// checks the fit against netipx: it covers the list, and what it adds is
// exactly what the report says.
func TestFit250(t *testing.T) {
	data, err := os.ReadFile("testdata/list250.txt")
	if err != nil {
		t.Fatal(err)
	}
	given := strings.TrimSpace(string(data))
	if n := strings.Count(given, ",") + 1; n != 250 {
		t.Fatalf("testdata/list250.txt has %d entries, want 250", n)
	}

	// Without -fit the list is too long.
	status, rep := runJSON(t, invocation{name: "no fit", args: []string{"-ranges", given}})
	if status != 1 || len(rep.Problems) != 1 || rep.Problems[0].Kind != "too-many" || rep.Problems[0].Index != 200 {
		t.Errorf("without -fit: status %d, problems %+v; want 1 and one too-many at index 200", status, rep.Problems)
	}

	status, rep = runJSON(t, invocation{name: "fit", args: []string{"-ranges", given, "-fit", "200", "73.140.245.7", "20.31.16.3"}})
	if status != 0 || !rep.Valid {
		t.Fatalf("status %d, valid %v, problems %+v; want 0, true", status, rep.Valid, rep.Problems)
	}
	f := rep.Fit
	if f == nil || f.Max != 200 || f.EntriesBefore != 250 || f.EntriesAfter != 200 || rep.Entries != 200 || f.List != rep.List {
		t.Fatalf("fit %+v, entries %d", f, rep.Entries)
	}
	if !strings.HasSuffix(rep.Command, " "+rep.List) {
		t.Errorf("the command does not apply the fitted list: %s", rep.Command)
	}

	set := func(list string) *netipx.IPSet {
		var b netipx.IPSetBuilder
		for _, e := range strings.Split(list, ",") {
			p, err := netip.ParsePrefix(e)
			if err != nil {
				t.Fatal(err)
			}
			b.AddPrefix(p)
		}
		s, err := b.IPSet()
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	before, after := set(given), set(rep.List)
	for _, p := range before.Prefixes() {
		if !after.ContainsPrefix(p) {
			t.Errorf("the fitted list does not cover %s", p)
		}
	}
	var b netipx.IPSetBuilder
	b.AddSet(after)
	b.RemoveSet(before)
	extra, _ := b.IPSet()
	var want []addedRange
	var total uint64
	for _, p := range extra.Prefixes() {
		want = append(want, addedRange{Prefix: p.String(), Addresses: 1 << (32 - p.Bits())})
		total += 1 << (32 - p.Bits())
	}
	if diff := cmp.Diff(want, f.Added); diff != "" {
		t.Errorf("added (-netipx +report):\n%s", diff)
	}
	if f.AddedAddresses != total || total == 0 {
		t.Errorf("addedAddresses %d, want %d (and more than 0)", f.AddedAddresses, total)
	}
	for _, d := range rep.Decisions {
		if !d.Allowed {
			t.Errorf("%s refused after the fit", d.Address)
		}
	}

	// The text output lists every added range with its size.
	r := runCmd(t, invocation{name: "fit text", args: []string{"-ranges", given, "-fit", "200"}})
	for _, a := range f.Added {
		if !strings.Contains(r.stdout, "+ "+a.Prefix+" ") {
			t.Errorf("text output lacks the added range %s", a.Prefix)
		}
	}
	if !strings.Contains(r.stdout, "250 -> 200 entries") {
		t.Errorf("text output lacks the fit summary:\n%s", r.stdout)
	}
}

func TestFitWithTag(t *testing.T) {
	status, rep := runJSON(t, invocation{name: "fit with tag", args: []string{"-service-tags", publicTags,
		"-ranges", "20.31.16.9,AzureCloud,20.31.16.3,20.31.16.5", "-fit", "3"}})
	if status != 0 || !rep.Valid {
		t.Fatalf("status %d, valid %v", status, rep.Valid)
	}
	// Two entries remain for the three addresses, in the given order; the
	// tag stays last. Of the two covers that add 6 addresses, Fit takes
	// the one whose first prefix is broader.
	want := &fitResult{Max: 3, EntriesBefore: 4, EntriesAfter: 3, List: "20.31.16.9/32,20.31.16.0/29,AzureCloud",
		Added: []addedRange{{"20.31.16.0/31", 2}, {"20.31.16.2/32", 1}, {"20.31.16.4/32", 1}, {"20.31.16.6/31", 2}}, AddedAddresses: 6}
	if diff := cmp.Diff(want, rep.Fit); diff != "" {
		t.Errorf("fit (-want +got):\n%s", diff)
	}
	if rep.List != want.List || !strings.HasSuffix(rep.Command, " "+want.List) {
		t.Errorf("list %q, command %q; want the fitted list", rep.List, rep.Command)
	}
}

// TestFitFits checks that a list within the limit comes back merged but in
// its order, with nothing added.
func TestFitFits(t *testing.T) {
	status, rep := runJSON(t, invocation{name: "fits", args: []string{"-ranges", "194.168.1.0/24,73.140.245.0/25,73.140.245.128/25,73.140.245.7", "-fit", "200"}})
	want := &fitResult{Max: 200, EntriesBefore: 4, EntriesAfter: 2, List: "194.168.1.0/24,73.140.245.0/24", Added: []addedRange{}}
	if diff := cmp.Diff(want, rep.Fit); status != 0 || diff != "" {
		t.Errorf("status %d, fit (-want +got):\n%s", status, diff)
	}
}

func TestAzCommands(t *testing.T) {
	tests := []struct {
		name       string
		args       []string
		bash, pwsh string
	}{
		{"placeholders", []string{"-ranges", "73.140.245.0/24, 20.20.20.20"},
			"az aks update --resource-group RG --name NAME --api-server-authorized-ip-ranges 73.140.245.0/24,20.20.20.20/32",
			"az aks update --resource-group RG --name NAME --api-server-authorized-ip-ranges '73.140.245.0/24,20.20.20.20/32'"},
		{"names given", []string{"-ranges", "73.140.245.0/24", "-resource-group", "rg-prod", "-name", "prod-weu-01"},
			"az aks update --resource-group rg-prod --name prod-weu-01 --api-server-authorized-ip-ranges 73.140.245.0/24",
			"az aks update --resource-group rg-prod --name prod-weu-01 --api-server-authorized-ip-ranges '73.140.245.0/24'"},
		{"names that need quotes", []string{"-ranges", "73.140.245.0/24", "-resource-group", "rg prod's", "-name", "a,b"},
			`az aks update --resource-group 'rg prod'\''s' --name a,b --api-server-authorized-ip-ranges 73.140.245.0/24`,
			`az aks update --resource-group 'rg prod''s' --name 'a,b' --api-server-authorized-ip-ranges '73.140.245.0/24'`},
		{"disable", []string{"-ranges", ""},
			`az aks update --resource-group RG --name NAME --api-server-authorized-ip-ranges ""`,
			`az aks update --resource-group RG --name NAME --api-server-authorized-ip-ranges=""`},
		{"disable with blanks", []string{"-ranges", "  "},
			`az aks update --resource-group RG --name NAME --api-server-authorized-ip-ranges ""`,
			`az aks update --resource-group RG --name NAME --api-server-authorized-ip-ranges=""`},
		{"egress only", []string{"-ranges", "0.0.0.0/32"},
			"az aks update --resource-group RG --name NAME --api-server-authorized-ip-ranges 0.0.0.0/32",
			"az aks update --resource-group RG --name NAME --api-server-authorized-ip-ranges '0.0.0.0/32'"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, rep := runJSON(t, invocation{name: tt.name, args: tt.args})
			if rep.Command != tt.bash || rep.CommandPowerShell != tt.pwsh {
				t.Errorf("commands\n%s\n%s\nwant\n%s\n%s", rep.Command, rep.CommandPowerShell, tt.bash, tt.pwsh)
			}
			r := runCmd(t, invocation{name: tt.name, args: tt.args})
			want := "# bash\n" + tt.bash + "\n# PowerShell\n" + tt.pwsh + "\nnote: " + notePropagation + "\n"
			if !strings.Contains(r.stdout, want) {
				t.Errorf("text output lacks\n%s\nin\n%s", want, r.stdout)
			}
		})
	}
}

// TestDisableMessage checks that disabling says what it means instead of
// listing the complement of the current list.
func TestDisableMessage(t *testing.T) {
	for _, args := range [][]string{
		{"-ranges", defaultRanges, "-diff", ""},
		{"-current", "testdata/cluster.json", "-ranges", ""},
		{"-current", "-", "-diff", ""},
	} {
		r := runCmd(t, invocation{name: strings.Join(args, " "), args: args, stdin: defaultRanges})
		if r.status != 0 {
			t.Errorf("%q: status %d", args, r.status)
		}
		for _, want := range []string{
			"gains access: every address: the API server becomes reachable from the whole internet\n",
			"loses access: nothing\n",
			"note: " + noteDisabled,
		} {
			if !strings.Contains(r.stdout, want) {
				t.Errorf("%q: stdout lacks %q:\n%s", args, want, r.stdout)
			}
		}
		if strings.Contains(r.stdout, "0.0.0.0/2") {
			t.Errorf("%q: stdout lists the gained prefixes:\n%s", args, r.stdout)
		}
	}
}

// TestNoGoIdentifiers runs every invocation of the other tests and more
// (runCmd checks each output) so that no message names the library's Go
// identifiers instead of the command's flags.
func TestNoGoIdentifiers(t *testing.T) {
	invs := []invocation{
		{name: "help", args: []string{"-h"}},
		{name: "EgressOnly without egress", args: []string{"-ranges", "0.0.0.0/32", "-strict"}},
		{name: "near the limit", args: []string{"-ranges", strings.Repeat("20.20.20.20,", 185) + "20.20.20.20"}},
		{name: "near the limit, merged", args: []string{"-ranges", strings.TrimSuffix(strings.Repeat("20.20.20.0/25,20.20.20.128/25,", 95), ",")}},
		{name: "every kind of egress", args: []string{"-ranges", "73.140.245.0/24", "-egress", "52.170.10.20,52.170.11.0/28", "-api-server-ip", "20.50.1.2",
			"-node-public-prefixes", "20.1.2.0/28", "-extra-egress", "20.1.3.4", "-json"}},
		{name: "<empty> pasted", args: []string{"-ranges", "<empty>"}},
		{name: "<invalid> pasted", args: []string{"-ranges", "<invalid>"}},
	}
	for _, tt := range statusTests {
		invs = append(invs, tt.invocation)
	}
	for _, tt := range pasteTests {
		invs = append(invs, invocation{name: tt.name, args: []string{"-ranges", tt.ranges}})
	}
	for _, inv := range invs {
		runCmd(t, inv)
		inv.args = append([]string{"-json"}, inv.args...)
		runCmd(t, inv)
	}
}
