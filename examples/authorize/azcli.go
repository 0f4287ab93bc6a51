package main

import (
	"fmt"
	"strings"

	"github.com/ipallow/ipallow/allowlist"
)

// azCommands returns the az aks update command that applies list, for bash
// and for PowerShell. Empty rg and name become the placeholders RG and
// NAME.
//
// The empty value, which disables the ranges, is written "" in bash; in
// PowerShell az then sees no value at all ("expected one argument"), so
// the PowerShell form is --api-server-authorized-ip-ranges="". Unquoted
// commas make an array in PowerShell, so the list is quoted there.
func azCommands(list allowlist.List, rg, name string) (bash, ps string) {
	if rg == "" {
		rg = "RG"
	}
	if name == "" {
		name = "NAME"
	}
	value := list.String()
	base := func(quote func(string) string) string {
		return fmt.Sprintf("az aks update --resource-group %s --name %s --api-server-authorized-ip-ranges", quote(rg), quote(name))
	}
	if value == "" {
		return base(bashQuote) + ` ""`, base(psQuote) + `=""`
	}
	return base(bashQuote) + " " + bashQuote(value), base(psQuote) + " '" + value + "'"
}

// bashQuote quotes s for bash unless it needs no quotes.
func bashQuote(s string) string {
	if isPlain(s, ",") {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// psQuote quotes s for PowerShell unless it needs no quotes.
func psQuote(s string) string {
	if isPlain(s, "") {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", "''") + "'"
}

// isPlain reports whether s is a non-empty word of letters, digits and
// ./:_- (and the bytes in extra) that no shell changes.
func isPlain(s, extra string) bool {
	if s == "" || s[0] == '-' {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
		case strings.IndexByte("./:_-"+extra, c) >= 0:
		default:
			return false
		}
	}
	return true
}

// Notes that the text output prints after the command, and -json in notes.
const (
	notePropagation = "the new ranges take up to two minutes to apply after az aks update returns"
	noteDisabled    = "an empty list disables the authorized IP ranges: the API server becomes reachable from the whole internet"
	noteEgressOnly  = "0.0.0.0/32 allows only the cluster's own egress (the load balancer's outbound IPs) and the API server's IP: " +
		"no operator or CI address reaches the API server"
	noteImplicit = "AKS adds the cluster's load balancer outbound IPs and the API server's IP by itself; egress through a firewall, " +
		"NAT gateway or user-defined route must be in the list (check it with -extra-egress)"
	noteReplaces = "az aks update replaces the whole list: a range left out is removed (give -current FILE to see what the update removes)"
	notePrivate  = "the cluster is private (enablePrivateCluster): AKS does not support authorized IP ranges on private clusters"
	noteVnet     = "API Server VNet Integration: the limit is 2,000 entries"
)

// notes adds the AKS facts that apply to the report: list is the new list
// (as far as it was parsed), valid whether it is.
func (rep *report) notes(c config, in *inputs, list allowlist.List, valid bool) {
	add := func(s string) { rep.Notes = append(rep.Notes, s) }
	if rep.Command != "" {
		add(notePropagation)
	}
	if rep.Current != nil && rep.Current.PrivateCluster {
		add(notePrivate)
	}
	if rep.Limit > allowlist.AKS.MaxEntries {
		add(noteVnet)
	}
	for _, tag := range list.ServiceTags {
		if src := feedOf(in.sources, tag); src == nil || src.Feed == "azure" {
			add(fmt.Sprintf("the list names the service tag %s: az aks update needs the aks-preview extension "+
				"(az extension add --name aks-preview) and the EnableServiceTagAuthorizedIPPreview feature "+
				"(az feature register --namespace Microsoft.ContainerService --name EnableServiceTagAuthorizedIPPreview)", tag))
		}
	}
	if !valid {
		for _, p := range rep.Problems {
			if p.Kind == "too-many" {
				add(fmt.Sprintf("AKS allows at most %d entries: -fit %d merges the list into %d with the fewest added addresses",
					rep.Limit, rep.Limit, rep.Limit))
				break
			}
		}
		return
	}
	switch list.Mode {
	case allowlist.Disabled:
		add(noteDisabled)
	case allowlist.EgressOnly:
		add(noteEgressOnly)
	default:
		if len(c.egress) == 0 && c.apiServerIP == "" && len(c.extraEgress) == 0 && len(c.nodePrefixes) == 0 {
			add(noteImplicit)
		}
	}
	if rep.Command != "" && rep.Current == nil {
		add(noteReplaces)
	}
}
