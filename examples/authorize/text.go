package main

import (
	"fmt"
	"io"
	"strings"

	"github.com/ipallow/ipallow/allowlist"
)

// maxShownEntries is how long a list the text output quotes in full
// outside the az command.
const maxShownEntries = 10

// writeText writes the report for a reader.
func writeText(w io.Writer, rep *report) {
	for _, s := range rep.TagSources {
		fmt.Fprintf(w, "service tags: %s, %d tags, content %s\n", describeSource(s), s.Tags, s.Content)
	}
	if cur := rep.Current; cur != nil && rep.newFrom != "-current" {
		writeCurrent(w, cur)
	}

	// The new list.
	if rep.newFrom == "-current" {
		fmt.Fprintf(w, "ranges (current, from %s): %s\n", rep.Current.Source, shownInput(rep.Input))
	} else {
		fmt.Fprintf(w, "ranges: %s\n", shownInput(rep.Input))
	}
	if rep.overLimit != nil && rep.Fit != nil {
		fmt.Fprintf(w, "over the limit: %d entries, and AKS allows at most %d\n", rep.Fit.EntriesBefore, rep.Limit)
	}
	if f := rep.Fit; f != nil {
		writeFit(w, f)
	}
	if !rep.Valid {
		writeProblems(w, "AKS would refuse this list", rep.Problems)
	} else {
		switch rep.Mode {
		case "disabled":
			fmt.Fprintln(w, "the list is empty: the authorized IP ranges are disabled, every address is allowed, "+
				"and the API server becomes reachable from the whole internet")
		case "egress-only":
			fmt.Fprintln(w, "0.0.0.0/32: only the cluster's egress addresses are allowed")
		default:
			fmt.Fprintf(w, "valid: %d range(s), %d service tag(s); canonical form %s\n",
				rep.Entries-len(rep.ServiceTags), len(rep.ServiceTags), shownList(rep.List, rep.Entries))
		}
		for _, f := range rep.Findings {
			if f.Kind == "uncovered" {
				continue // a lock-out, below
			}
			fmt.Fprintf(w, "warning: %s\n", findingText(f))
		}
		fmt.Fprintf(w, "enforced: %d address prefix(es) after merging\n", rep.EnforcedPrefixes)
	}
	if rep.Current != nil && !rep.Current.Valid && rep.newFrom == "-current" {
		return // the problems above are the current list's
	}

	// The addresses.
	if len(rep.Decisions) > 0 {
		fmt.Fprintln(w)
	}
	for _, d := range rep.Decisions {
		line := fmt.Sprintf("%-22s refused: no entry, service tag or egress address holds it", d.Address)
		if d.Allowed {
			line = fmt.Sprintf("%-22s allowed by %s", d.Address, d.Rule)
		}
		switch {
		case d.AllowedNow == nil:
		case *d.AllowedNow:
			line += " (the current list allows it by " + d.RuleNow + ")"
		default:
			line += " (the current list refuses it too)"
			if d.Allowed {
				line = strings.Replace(line, " too)", ")", 1)
			}
		}
		fmt.Fprintln(w, line)
	}

	// The update.
	if d := rep.Diff; d != nil {
		fmt.Fprintf(w, "\nupdate from the current list (%s):\n", rep.Current.Source)
		switch {
		case d.OpensToInternet:
			fmt.Fprintln(w, "gains access: every address: the API server becomes reachable from the whole internet")
		default:
			printPrefixes(w, "gains access", d.Gained)
		}
		switch {
		case d.WasOpen:
			fmt.Fprintln(w, "loses access: every address outside the new list (the current list is disabled: "+
				"the API server is reachable from the whole internet now)")
		default:
			printPrefixes(w, "loses access", d.Lost)
		}
	}
	if rep.Valid {
		for _, l := range rep.lockouts {
			fmt.Fprintf(w, "%s: %s\n", l.label, l.text)
		}
		if len(rep.lockouts) == 0 && len(rep.Decisions) > 0 && !rep.demo {
			if rep.Diff != nil {
				fmt.Fprintln(w, "none of the addresses loses access")
			} else {
				fmt.Fprintln(w, "every address given is allowed")
			}
		}
	}

	// How to apply it.
	if rep.Command != "" {
		fmt.Fprintf(w, "\n# bash\n%s\n# PowerShell\n%s\n", rep.Command, rep.CommandPowerShell)
	}
	if len(rep.Notes) > 0 && rep.Command == "" {
		fmt.Fprintln(w)
	}
	for _, n := range rep.Notes {
		fmt.Fprintf(w, "note: %s\n", n)
	}
}

// writeCurrent describes the current list.
func writeCurrent(w io.Writer, cur *current) {
	from := cur.Source
	if cur.Shape != "text" {
		from += ", " + cur.Shape
	}
	switch {
	case cur.PrivateCluster:
		fmt.Fprintf(w, "current (%s): a private cluster: its API server has no public endpoint that authorized IP ranges could guard\n", from)
	case !cur.Valid:
		writeProblems(w, fmt.Sprintf("current (%s): invalid", from), cur.Problems)
	case cur.Mode == "disabled":
		fmt.Fprintf(w, "current (%s): disabled: the API server is reachable from the whole internet\n", from)
	case cur.Mode == "egress-only":
		fmt.Fprintf(w, "current (%s): 0.0.0.0/32: only the cluster's egress addresses\n", from)
	default:
		fmt.Fprintf(w, "current (%s): %s %s\n", from, count(cur.Entries, "entry", "entries"), shownList(cur.List, cur.Entries))
	}
}

// writeProblems lists the problems of an invalid list.
func writeProblems(w io.Writer, what string, ps []problem) {
	fmt.Fprintf(w, "%s; fix these %d problem(s):\n", what, len(ps))
	for _, p := range ps {
		text := p.Entry
		if len(text) > 64 {
			text = text[:64] + "..."
		}
		fmt.Fprintf(w, "  entry %d %q: %s\n", p.Index, text, p.Message)
		if p.Fix != "" {
			fmt.Fprintf(w, "    fix: %s\n", p.Fix)
		}
	}
}

// writeFit shows what -fit did.
func writeFit(w io.Writer, f *fitResult) {
	if len(f.Added) == 0 {
		fmt.Fprintf(w, "fit into %d entries: %d entries, nothing added\n", f.Max, f.EntriesAfter)
		return
	}
	fmt.Fprintf(w, "fit into %d entries: %d -> %d entries, adding %d range(s) of %d address(es) in all:\n",
		f.Max, f.EntriesBefore, f.EntriesAfter, len(f.Added), f.AddedAddresses)
	for _, a := range f.Added {
		fmt.Fprintf(w, "  + %-20s %d address(es)\n", a.Prefix, a.Addresses)
	}
}

// findingText is a finding as allowlist.Finding prints it.
func findingText(f finding) string {
	return allowlist.Finding{Index: f.Index, Entry: f.Entry, Message: f.Message}.String()
}

// shownList quotes a list, or says where to find it when it is long.
func shownList(list string, entries int) string {
	if entries <= maxShownEntries {
		return fmt.Sprintf("%q", list)
	}
	head := strings.SplitN(list, ",", 4)
	if len(head) < 4 {
		return fmt.Sprintf("%q", list)
	}
	return fmt.Sprintf("%q (in full in the az command)", strings.Join(head[:3], ",")+",...")
}

// shownInput quotes the list as given, or its start when it is long.
func shownInput(s string) string {
	n := strings.Count(s, ",") + 1
	if n <= maxShownEntries {
		return fmt.Sprintf("%q", s)
	}
	head := strings.SplitN(s, ",", 4)
	return fmt.Sprintf("%q (%d elements, %d bytes)", strings.Join(head[:3], ",")+",...", n, len(s))
}

// describeSource names a -service-tags file by its feed and version.
func describeSource(s tagSource) string {
	if s.Feed == "azure" {
		return fmt.Sprintf("%s cloud, changeNumber %d", s.Cloud, s.ChangeNumber)
	}
	out := s.Feed + " feed"
	if s.SyncToken != "" {
		out += ", syncToken " + s.SyncToken
	}
	if s.Created != "" {
		out += ", created " + s.Created
	}
	return out
}

// count says "1 entry", "2 entries".
func count(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}

// printPrefixes prints at most ten prefixes under a heading.
func printPrefixes(w io.Writer, what string, ps []string) {
	if len(ps) == 0 {
		fmt.Fprintf(w, "%s: nothing\n", what)
		return
	}
	fmt.Fprintf(w, "%s: %d prefix(es)\n", what, len(ps))
	for i, p := range ps {
		if i == 10 {
			fmt.Fprintf(w, "  … and %d more\n", len(ps)-i)
			break
		}
		fmt.Fprintf(w, "  %s\n", p)
	}
}
