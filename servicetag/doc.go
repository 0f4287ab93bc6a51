// Package servicetag decodes Azure service tags and turns tag names into
// address sets.
//
// Azure publishes its address ranges per service and region as "service
// tags" (AzureCloud, Storage.WestEurope, …). They arrive in three shapes,
// all read by [Decode]:
//
//   - the weekly download ServiceTags_<Cloud>_<YYYYMMDD>.json for the
//     clouds Public, AzureGovernment, China and AzureGermany, optionally
//     gzip-compressed;
//   - the Service Tag Discovery API (GET …/locations/{loc}/serviceTags),
//     also printed by `az network list-service-tags`, where change numbers
//     are strings;
//   - the paged serviceTagDetails API ({"value": [...], "nextLink": …}).
//
// Decoding is strict: the input must be valid JSON within a size limit
// ([DecodeOptions]), every prefix must parse with [net/netip] and be
// canonical, and tag names must be unique ignoring case. Errors name the
// tag, the value and its byte offset, and match sentinels such as
// [ErrTruncated] or [ErrNonCanonicalPrefix] with [errors.Is].
//
// A [Document] answers [Document.Lookup] ignoring case, with "did you
// mean" suggestions for unknown names (the files spell regions two ways:
// AzureCloud.centralfrance but Storage.FranceCentral). [Document.Expand]
// turns one or more tags into a [netipx.IPSet]. [Document.Hash] identifies
// the content (the top-level changeNumber does not), [Diff] reports the
// ranges each tag gained and lost between two documents, and [Loader]
// keeps a document fetched over HTTP up to date with conditional GETs,
// keeping the last good one when a refresh fails.
//
// Typical use, with a downloaded file:
//
//	doc, err := servicetag.LoadFile("ServiceTags_Public_20251020.json")
//	if err != nil {
//		return err
//	}
//	set, err := doc.Expand("AzureCloud.westeurope", "Storage.WestEurope")
//	if err != nil {
//		return err // for an unknown tag, an *UnknownTagError with suggestions
//	}
//	allowed := set.Contains(addr)
//
// The regional tags (those with a region, see [Tag.IsRegional]) of a base
// fall inside the base's global tag in every published file, but the
// global AzureCloud tag does not contain every other tag: expand the tags
// you mean.
package servicetag
