// Package servicetag decodes the address ranges that cloud and service
// providers publish (Azure service tags, AWS, Google, GitHub, Cloudflare
// and Oracle) into one model of named tags, and turns tag names into
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
// The other providers' files are read by [DecodeFeed] with a [Feed] that
// names the format, and become tags of the same [Tag] type:
//
//   - [AWS] ip-ranges.json: "AWS", "AWS.<service>", "AWS.<service>.<region>"
//     ("AWS.EC2.us-east-1", "AWS.CLOUDFRONT.GLOBAL");
//   - [GoogleCloud] cloud.json: "GoogleCloud", "GoogleCloud.<scope>"
//     ("GoogleCloud.us-central1"); [Google] goog.json: "Google";
//   - [GitHub] /meta: "GitHub.<key>" for each list of CIDR prefixes
//     ("GitHub.hooks", "GitHub.actions");
//   - [Cloudflare] ips-v4 and ips-v6 text lists ([DecodeCloudflareText]
//     reads both into one document) or the API's JSON: "Cloudflare";
//   - [Oracle] public_ip_ranges.json: "Oracle", "Oracle.<tag>",
//     "Oracle.<tag>.<region>" ("Oracle.OCI.us-ashburn-1").
//
// [ParseFeed] reads a feed's name (as in a command-line argument
// aws:ip-ranges.json) and [DetectFeed] tells the feed of an unnamed file
// from its shape. A [Document] keeps what the feed says about its version
// (ChangeNumber, SyncToken, Created, ETag). [Merge] combines documents of
// several providers into one, as long as their tag names differ.
//
// Decoding is strict and fails closed: the input must be valid JSON
// within a size limit ([DecodeOptions]), every prefix must parse with
// [net/netip], be canonical and not be IPv4-mapped, keys must not repeat,
// and tag names must be unique ignoring case. Errors name the tag or
// entry, the value and its byte offset, and match sentinels such as
// [ErrTruncated], [ErrNonCanonicalPrefix] or [ErrMappedPrefix] with
// [errors.Is].
//
// A [Document] answers [Document.Lookup] ignoring case, with "did you
// mean" suggestions for unknown names (the Azure files spell regions two
// ways: AzureCloud.centralfrance but Storage.FranceCentral).
// [Document.Expand] turns one or more tags into a [netipx.IPSet].
// [Document.Hash] identifies the content (the version fields do not),
// [Diff] reports the ranges each tag gained and lost between two
// documents, and [Loader] keeps an Azure document fetched over HTTP up to
// date with conditional GETs, keeping the last good one when a refresh
// fails.
//
// Typical use, with downloaded files:
//
//	azure, err := servicetag.LoadFile("ServiceTags_Public_20251020.json")
//	if err != nil {
//		return err
//	}
//	aws, err := servicetag.LoadFeedFile("ip-ranges.json", servicetag.AWS)
//	if err != nil {
//		return err
//	}
//	doc, err := servicetag.Merge(azure, aws)
//	if err != nil {
//		return err
//	}
//	set, err := doc.Expand("AzureCloud.westeurope", "AWS.EC2.eu-west-1")
//	if err != nil {
//		return err // for an unknown tag, an *UnknownTagError with suggestions
//	}
//	allowed := set.Contains(addr)
//
// The regional tags (those with a region, see [Tag.IsRegional]) of an
// Azure base fall inside the base's global tag in every published file,
// but the global AzureCloud tag does not contain every other tag: expand
// the tags you mean. The umbrella tags of the other feeds (AWS,
// GoogleCloud, Google, Cloudflare, Oracle) do hold every prefix of their
// document.
package servicetag
