// Command authorize is the AKS operator's check before az aks update: it
// validates a list of API server authorized IP ranges exactly as Azure
// Kubernetes Service does, shows what replacing the cluster's current list
// with it gains and loses, catches an update that would lock out the
// addresses you name, fits a long list into the entry limit, and prints
// the az aks update command to apply it. A CI job runs it the same way and
// reads its exit status or its -json output.
//
// Usage:
//
//	go run ./examples/authorize [flags] [ADDRESS ...]
//
// A typical check (SESSION.md shows a whole session with its output). Build
// the command to see its exit status: go run reports every failure as 1.
//
//	go build -o authorize ./examples/authorize
//	az aks show --resource-group RG --name NAME > cluster.json
//	./authorize -current cluster.json -ranges 73.140.245.0/24,20.20.20.0/24 -me 73.140.245.7 193.168.1.20
//
// With no flags it checks a demonstration list
// (73.140.245.0/24,193.168.1.0/24,194.168.1.0/24) and a few addresses that
// show both outcomes, and exits 0.
//
// # The lists
//
//	-ranges LIST        the new list, as for az aks update
//	                    --api-server-authorized-ip-ranges: comma-separated
//	                    IPv4 ranges and at most one service tag; "" disables
//	                    the ranges (everyone may connect), 0.0.0.0/32 alone
//	                    allows only the cluster's egress
//	-current FILE       the cluster's list now, from az aks show ("-" reads
//	                    stdin): the whole cluster object, its
//	                    apiServerAccessProfile, or its
//	                    apiServerAccessProfile.authorizedIpRanges array (null,
//	                    absent or [] mean the ranges are disabled), or a plain
//	                    list, comma- or newline-separated as -o tsv prints it.
//	                    With -ranges, the update current -> new is shown and
//	                    checked; alone, the current list is checked.
//	-diff NEW_LIST      the new list, with -ranges (or -current) as the
//	                    current one: -ranges A -diff B is -current A -ranges B
//	-fit N              merge the list's ranges into at most N entries
//	                    (service tags count and stay as they are), adding the
//	                    fewest addresses; shows exactly which ranges the merge
//	                    lets in and their sizes, and checks and prints the
//	                    fitted list, which keeps the given order. N is at
//	                    most the limit (200, or 2,000 with -vnet-integration);
//	                    a list over the limit is valid once fitted
//	-vnet-integration   the cluster uses API Server VNet Integration: the
//	                    limit is 2,000 entries (also taken from -current when
//	                    its enableVnetIntegration is true)
//
// # The addresses to check
//
//	ADDRESS ...         addresses that must keep access (operators, CI
//	                    runners); each is decided against the new list and,
//	                    with a current list, against that one too
//	-me ADDR            your own address; another ADDRESS (repeatable)
//
// The demonstration addresses are checked only when no list is given at all
// (no -ranges, -current or -diff) and no address either.
//
// # What AKS adds by itself, and what it does not
//
//	-egress ADDRS             the load balancer's outbound public IPs and IP
//	                          prefixes (comma-separated, repeatable), which AKS
//	                          allows implicitly
//	-api-server-ip ADDR       the API server's own public IP, also allowed
//	                          implicitly
//	-node-public-prefixes P   public IP prefixes of node pools with node public
//	                          IPs: AKS does not add them, the list must cover
//	                          them
//	-extra-egress ADDRS       egress AKS does not add: an Azure Firewall, a NAT
//	                          gateway, a user-defined route's next hop; the
//	                          list must cover it
//	-service-tags FILE        a published range file that expands the service
//	                          tag in the lists: FILE (its feed is detected), or
//	                          FEED:FILE with FEED one of azure, aws,
//	                          googlecloud, google, github, cloudflare, oracle
//	                          (azure:ServiceTags_Public_20251020.json,
//	                          aws:ip-ranges.json); .gz is read too; repeatable
//	                          and comma-separated, the files are merged. AKS
//	                          expands Azure service tags only: a tag from
//	                          another feed makes the list invalid
//
// # Output
//
//	-resource-group RG  the cluster's resource group, for the az command
//	                    (default: the placeholder RG)
//	-name NAME          the cluster's name, for the az command (default: the
//	                    placeholder NAME)
//	-strict             any lint finding (duplicate, covered, broad or
//	                    non-global entry, near the limit) exits 3
//	-json               write one JSON document on stdout instead of text
//	-h                  print the usage and exit 0
//
// Every problem of an invalid list is printed with its fix. The text output
// ends with the az aks update command for the new list, in a bash and a
// PowerShell form (disabling is --api-server-authorized-ip-ranges "" in
// bash and --api-server-authorized-ip-ranges="" in PowerShell), and with
// the AKS facts that apply: a service tag needs the aks-preview extension
// and the EnableServiceTagAuthorizedIPPreview feature, an empty list opens
// the API server to the whole internet, and new ranges take up to two
// minutes to apply.
//
// # Exit status
//
//	0  the list is valid and no address given would be locked out
//	1  the new or the current list is invalid (including an unknown
//	   service tag)
//	2  usage error: a bad flag, an unreadable file, an argument that is not
//	   an address, a list with a tag but no -service-tags, a -fit N that
//	   cannot be met
//	3  the list is valid but locks out: an ADDRESS or -me address that the
//	   new list refuses (whether or not the current list allows it; the text
//	   says which), or a -node-public-prefixes or -extra-egress prefix that
//	   it does not wholly allow; with -strict, also any lint finding
//
// # JSON
//
// With -json, stdout holds one JSON object (nothing is written on exit
// status 2; errors go to stderr in every mode). Lists are always present,
// empty rather than null; the objects current, diff and fit are present
// only when they apply.
//
//	{
//	  "input":     the new list as given,
//	  "valid":     whether AKS accepts the new list (after -fit, the fitted one),
//	  "list":      its canonical form ("" when disabled or invalid),
//	  "mode":      "restricted", "disabled" or "egress-only"; absent when invalid,
//	  "entries":   the number of entries (ranges and tags),
//	  "limit":     the entry limit applied (200 or 2000),
//	  "serviceTags": the tags the list names,
//	  "problems":  [{"index", "entry", "kind", "message", "fix"}] why it is
//	               invalid: index counts the comma-separated elements from 0;
//	               kind is empty-entry, malformed, non-canonical, not-global,
//	               ipv6, too-many, too-many-service-tags, egress-only-mixed,
//	               unknown-tag or not-azure-tag (a tag of another provider's
//	               feed); the message includes the fix today, and fix is
//	               present only when given separately,
//	  "findings":  [{"kind", "index", "entry", "message"}] lint warnings: kind
//	               is duplicate, covered, non-global, broad, uncovered,
//	               no-egress or near-limit; index counts the entries of the
//	               canonical list (ranges first, tags last), -1 when the
//	               finding concerns the whole list,
//	  "enforcedPrefixes": the number of prefixes AKS enforces after merging,
//	  "tagSources": [{"file", "feed", "cloud", "changeNumber", "syncToken",
//	               "created", "tags", "content"}] the -service-tags files
//	               (cloud and changeNumber for Azure, syncToken for AWS and
//	               Google, created where the feed says; content is the start
//	               of the content hash),
//	  "decisions": [{"address", "allowed", "rule", "allowedNow", "ruleNow"}]
//	               one per address checked; rule names what allows it
//	               ("entry 0 73.140.245.0/24", "service tag AzureCloud
//	               20.33.0.0/24", "egress 52.170.10.20/32"); allowedNow and
//	               ruleNow only with a current list,
//	  "current":   {"source", "shape", "valid", "list", "mode", "entries",
//	               "problems", "privateCluster", "vnetIntegration"}: shape is
//	               cluster, apiServerAccessProfile, authorizedIpRanges or
//	               text; the current list is read with the general rules
//	               (private ranges and any number of entries, which the
//	               resource provider has stored), so valid means readable,
//	               not accepted by az,
//	  "diff":      {"gained", "lost", "opensToInternet", "wasOpen"} minimal
//	               prefixes; opensToInternet is true when the new list
//	               disables the ranges, wasOpen when the current list did;
//	               absent for a private cluster,
//	  "lockedOut": addresses and prefixes that the new list cuts off,
//	  "fit":       {"max", "entriesBefore", "entriesAfter", "list", "added":
//	               [{"prefix", "addresses"}], "addedAddresses"},
//	  "command":   the az aks update line (bash), absent when the list is
//	               invalid or unchanged,
//	  "commandPowerShell": the same for PowerShell,
//	  "notes":     the AKS facts that apply, as sentences
//	}
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"net/netip"
	"os"
	"strings"
)

// The demonstration: used only when the command line gives no list.
const defaultRanges = "73.140.245.0/24,193.168.1.0/24,194.168.1.0/24"

var defaultAddrs = []string{"73.140.245.7", "193.168.1.20", "8.8.8.8", "10.0.0.1", "::ffff:73.140.245.7"}

// config is what the command line says.
type config struct {
	ranges     string
	hasRanges  bool
	diff       string
	hasDiff    bool
	current    string // -current FILE, "-" for stdin
	hasCurrent bool
	fit        int // 0: no fit
	vnet       bool

	addrs []string // positional ADDRESS arguments, then -me

	egress       []string
	apiServerIP  string
	nodePrefixes []string
	extraEgress  []string
	serviceTags  []string

	resourceGroup string
	name          string
	strict        bool
	json          bool
}

// listFlag is a repeatable flag whose values may also be comma-separated.
type listFlag []string

func (l *listFlag) String() string { return strings.Join(*l, ",") }

func (l *listFlag) Set(v string) error {
	for f := range strings.SplitSeq(v, ",") {
		if f = strings.TrimSpace(f); f != "" {
			*l = append(*l, f)
		}
	}
	return nil
}

func main() {
	os.Exit(run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}

// usage is what -h prints.
const usage = `usage: authorize [flags] [ADDRESS ...]

Checks an AKS API server authorized IP ranges list before az aks update.

lists:
  -ranges LIST            the new list, as for --api-server-authorized-ip-ranges ("" disables)
  -current FILE           the cluster's list now: az aks show JSON (cluster, its
                          apiServerAccessProfile, or authorizedIpRanges) or a plain list; - is stdin
  -diff NEW_LIST          the new list, with -ranges as the current one
  -fit N                  merge the list into at most N entries with the fewest added addresses
  -vnet-integration       API Server VNet Integration: up to 2,000 entries

addresses that must keep access:
  ADDRESS ...             checked against the new (and the current) list
  -me ADDR                your own address (repeatable)

what AKS allows by itself, and what it does not:
  -egress ADDRS           load balancer outbound IPs and IP prefixes (allowed implicitly)
  -api-server-ip ADDR     the API server's public IP (allowed implicitly)
  -node-public-prefixes P node public IP prefixes (the list must cover them)
  -extra-egress ADDRS     firewall, NAT gateway or UDR egress (the list must cover it)
  -service-tags FILE      range file expanding the list's service tag: FILE or FEED:FILE
                          (repeatable, comma-separated)

output:
  -resource-group RG      resource group for the az command (default RG)
  -name NAME              cluster name for the az command (default NAME)
  -strict                 exit 3 on any lint finding too
  -json                   one JSON document on stdout

exit status: 0 valid and no address locked out; 1 invalid list; 2 usage error;
3 valid, but a given address or prefix would be locked out (-strict: or a finding)
`

// parseFlags reads the command line. It returns flag.ErrHelp for -h.
func parseFlags(args []string) (config, error) {
	var c config
	var me listFlag
	fs := flag.NewFlagSet("authorize", flag.ContinueOnError)
	fs.SetOutput(io.Discard) // errors are reported by run, usage by -h
	fs.StringVar(&c.ranges, "ranges", "", "")
	fs.StringVar(&c.diff, "diff", "", "")
	fs.StringVar(&c.current, "current", "", "")
	fs.IntVar(&c.fit, "fit", 0, "")
	fs.BoolVar(&c.vnet, "vnet-integration", false, "")
	fs.Var(&me, "me", "")
	fs.Var((*listFlag)(&c.egress), "egress", "")
	fs.StringVar(&c.apiServerIP, "api-server-ip", "", "")
	fs.Var((*listFlag)(&c.nodePrefixes), "node-public-prefixes", "")
	fs.Var((*listFlag)(&c.extraEgress), "extra-egress", "")
	fs.Var((*listFlag)(&c.serviceTags), "service-tags", "")
	fs.StringVar(&c.resourceGroup, "resource-group", "", "")
	fs.StringVar(&c.name, "name", "", "")
	fs.BoolVar(&c.strict, "strict", false, "")
	fs.BoolVar(&c.json, "json", false, "")
	if err := fs.Parse(args); err != nil {
		return c, err
	}
	fs.Visit(func(f *flag.Flag) {
		switch f.Name {
		case "ranges":
			c.hasRanges = true
		case "diff":
			c.hasDiff = true
		case "current":
			c.hasCurrent = true
		}
	})
	for _, a := range fs.Args() {
		if strings.HasPrefix(a, "-") && len(a) > 1 {
			return c, fmt.Errorf("%q after the first address: flags go before the addresses", a)
		}
	}
	c.addrs = append(me, fs.Args()...)

	switch {
	case c.hasCurrent && c.current == "":
		return c, errors.New("-current needs a FILE, or - to read standard input")
	case c.hasDiff && !c.hasRanges && !c.hasCurrent:
		return c, errors.New("-diff NEW_LIST compares with the current list: give it with -ranges LIST or -current FILE")
	case c.hasDiff && c.hasRanges && c.hasCurrent:
		return c, errors.New("-diff NEW_LIST takes -ranges as the current list, so -current cannot be given too: use -current FILE -ranges NEW_LIST")
	case c.fit < 0:
		return c, fmt.Errorf("-fit %d: give the number of entries to fit into, such as -fit 200", c.fit)
	}
	return c, nil
}

// run is the command: it reads args and stdin, writes the report on stdout
// and errors on stderr, and returns the exit status.
func run(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	c, err := parseFlags(args)
	if errors.Is(err, flag.ErrHelp) {
		fmt.Fprint(stdout, usage)
		return 0
	}
	if err != nil {
		fmt.Fprintf(stderr, "authorize: %s\n(authorize -h lists the flags)\n", cliText(err.Error()))
		return 2
	}
	in, err := c.load(stdin)
	if err != nil {
		fmt.Fprintf(stderr, "authorize: %s\n", cliText(err.Error()))
		return 2
	}
	rep, err := evaluate(c, in)
	if err != nil {
		fmt.Fprintf(stderr, "authorize: %s\n", cliText(err.Error()))
		return 2
	}
	if c.json {
		if err := writeJSON(stdout, rep); err != nil {
			fmt.Fprintf(stderr, "authorize: %v\n", err)
			return 2
		}
	} else {
		writeText(stdout, rep)
	}
	return rep.status(c.strict)
}

// parseAddr parses one address argument, naming the flag (or "argument")
// in its error.
func parseAddr(what, s string) (netip.Addr, error) {
	a, err := netip.ParseAddr(s)
	if err != nil {
		return a, fmt.Errorf("%s %q is not an IP address: %s", what, s, netipReason(err))
	}
	return a, nil
}

// netipReason returns what a net/netip parse error says after its echo of
// the function and the input.
func netipReason(err error) string {
	msg := err.Error()
	if i := strings.Index(msg, "): "); i >= 0 {
		return msg[i+3:]
	}
	return msg
}
