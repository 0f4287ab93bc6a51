// Package guard enforces allowlist Sets in a running program: it holds the
// current Set, decides requests and connections by their client address,
// and keeps the Set in step with its sources.
//
// The allowlist package turns text into a Set and answers questions about
// it; guard is the layer that runs it, as net/http/httputil runs what
// net/http defines:
//
//   - Holder holds the Set in force and swaps it atomically while requests
//     are in flight;
//   - Middleware refuses every HTTP request whose client address (decided
//     by an ipsource.Extractor) is not in the Set, without allocating on
//     the allowed path; Decision, DecisionFrom, WithDecisionHook and
//     LogDecisions report what it decided;
//   - FileWatcher and RangeFileBuilder keep the Set in step with a range
//     file, keeping the last good Set when a change cannot be used.
//
// Everything fails closed: a Holder without a Set, an extractor error and
// a file that cannot be read or built all refuse, never allow.
//
// Options follow one style across the module: functions that wrap
// something (Middleware) take functional options (WithDecisionHook, ...);
// a zero Option and a nil argument to an option leave the default. Things
// that are configured once and kept (FileWatcher) are structs whose zero
// fields mean the documented defaults.
package guard
