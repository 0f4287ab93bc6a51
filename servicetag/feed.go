package servicetag

import (
	"bytes"
	"compress/gzip"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
)

// Feed names a provider's published format of address ranges.
type Feed int

// The feeds that [DecodeFeed] reads. Tag names are looked up ignoring
// case; the spellings below are the ones the documents use.
const (
	// Azure is Microsoft's service-tag format, read by [Decode]: the
	// weekly ServiceTags_<Cloud>_<date>.json downloads and the Service
	// Tag Discovery API.
	Azure Feed = iota

	// AWS is https://ip-ranges.amazonaws.com/ip-ranges.json. Tags: "AWS"
	// (every prefix), "AWS.<service>" and "AWS.<service>.<region>" with
	// service and region as published ("AWS.EC2.us-east-1",
	// "AWS.CLOUDFRONT.GLOBAL"), from the IPv4 and the IPv6 rows alike. A
	// prefix listed under several services is in each service's tags.
	AWS

	// GoogleCloud is https://www.gstatic.com/ipranges/cloud.json, the
	// ranges of Google Cloud customers. Tags: "GoogleCloud" and
	// "GoogleCloud.<scope>" ("GoogleCloud.us-central1",
	// "GoogleCloud.global").
	GoogleCloud

	// Google is https://www.gstatic.com/ipranges/goog.json, Google's own
	// ranges. One tag: "Google".
	Google

	// GitHub is https://api.github.com/meta. One tag "GitHub.<key>" for
	// every top-level key whose value is a list of CIDR prefixes
	// ("GitHub.hooks", "GitHub.actions"); other keys (domains, ssh_keys,
	// ...) are not tags.
	GitHub

	// Cloudflare is https://www.cloudflare.com/ips-v4 and ips-v6 (text,
	// one prefix a line) or the API's JSON
	// (https://api.cloudflare.com/client/v4/ips). One tag: "Cloudflare".
	Cloudflare

	// Oracle is https://docs.oracle.com/iaas/tools/public_ip_ranges.json.
	// Tags: "Oracle", "Oracle.<tag>" and "Oracle.<tag>.<region>" for the
	// published tags OCI, OSN and OBJECT_STORAGE ("Oracle.OSN",
	// "Oracle.OCI.us-ashburn-1").
	Oracle

	numFeeds
)

var feedNames = [numFeeds]string{"azure", "aws", "googlecloud", "google", "github", "cloudflare", "oracle"}

// umbrellaTags are the tags that hold every prefix of a feed.
var umbrellaTags = [numFeeds]string{AWS: "AWS", GoogleCloud: "GoogleCloud", Google: "Google", Cloudflare: "Cloudflare", Oracle: "Oracle"}

// String returns the feed's name as ParseFeed accepts it: "azure", "aws",
// "googlecloud", "google", "github", "cloudflare" or "oracle".
func (f Feed) String() string {
	if f.valid() {
		return feedNames[f]
	}
	return "Feed(" + strconv.Itoa(int(f)) + ")"
}

func (f Feed) valid() bool { return f >= 0 && f < numFeeds }

// ParseFeed returns the feed with the given name, ignoring case; the names
// are those of [Feed.String]. It suits command-line arguments of the form
// feed:file, split at the first colon:
//
//	name, file, _ := strings.Cut("aws:ip-ranges.json", ":")
//	f, err := servicetag.ParseFeed(name)
func ParseFeed(name string) (Feed, error) {
	for f, n := range feedNames {
		if strings.EqualFold(name, n) {
			return Feed(f), nil
		}
	}
	return 0, fmt.Errorf("%w %q; the feeds are %s", ErrUnknownFeed, clip(name), strings.Join(feedNames[:], ", "))
}

// DecodeFeed reads the document of feed f from r with the default options.
// See [DecodeOptions.DecodeFeed].
func DecodeFeed(r io.Reader, f Feed) (*Document, error) { return DecodeOptions{}.DecodeFeed(r, f) }

// DecodeFeedBytes decodes the document of feed f held in memory with the
// default options. See [DecodeOptions.DecodeFeed].
func DecodeFeedBytes(data []byte, f Feed) (*Document, error) {
	return DecodeOptions{}.DecodeFeedBytes(data, f)
}

// LoadFeedFile decodes the named file of feed f with the default options.
func LoadFeedFile(name string, f Feed) (*Document, error) {
	return DecodeOptions{}.LoadFeedFile(name, f)
}

// LoadFeedFile decodes the named file of feed f. See [DecodeOptions.DecodeFeed].
func (o DecodeOptions) LoadFeedFile(name string, f Feed) (*Document, error) {
	file, err := os.Open(name)
	if err != nil {
		return nil, err
	}
	defer file.Close()
	doc, err := o.DecodeFeed(file, f)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	return doc, nil
}

// DecodeFeed reads all of r (at most MaxSize bytes) and decodes it as a
// document of feed f. DecodeFeed(r, Azure) is [DecodeOptions.Decode].
//
// As with Decode, gzip is detected by content, and decoding is strict and
// fails closed: the input must be one valid JSON value (RFC 8259, UTF-8;
// Cloudflare's text lists are the exception), the keys the feed defines
// must have the right JSON types and must not repeat, the keys that make
// a document of the feed must be present, and every prefix must parse
// with [netip.ParsePrefix], be canonical, not be IPv4-mapped and be of
// the family its key promises. Unknown keys are skipped after they are
// checked to be well-formed. Errors are [*SyntaxError], [*FieldError],
// [*FeedPrefixError], [*DuplicateTagError] and [*TooLargeError]; they name
// the entry, the value and its byte offset.
//
// The Document's Feed is f; SyncToken, Created and ETag hold what the feed
// says about its version. Tags are in order of first appearance, each
// with every prefix once, in order of first appearance; a tag without
// prefixes has nil Prefixes. Tag.Region is set on regional tags (AWS,
// GoogleCloud and Oracle, with the region as published, including AWS's
// "GLOBAL" and Google's "global"); Tag.SystemService holds the AWS
// service or the Oracle tag of the tags named after one. The other Tag
// fields stay zero.
//
// The feeds' required keys and rules:
//
//   - AWS: "prefixes" (rows with "ip_prefix", IPv4) and "ipv6_prefixes"
//     (rows with "ipv6_prefix", IPv6), every row with a non-empty
//     "service" and "region"; "network_border_group" must be a string if
//     present. SyncToken is "syncToken"; Created is "createDate"
//     ("2025-07-24-20-23-14", UTC).
//   - GoogleCloud: "prefixes", every row with exactly one of "ipv4Prefix"
//     and "ipv6Prefix" and a non-empty "scope". Google: the same rows
//     without "scope" or "service" (a row with them is cloud.json's, and
//     an error). SyncToken is "syncToken"; Created is "creationTime"
//     (UTC when it has no offset).
//   - GitHub: a top-level list is a tag when every element is a string
//     that parses as a prefix (an empty list is a tag without prefixes);
//     a list of values none of which is a prefix is not a tag; a list
//     mixing prefixes and other values is an error ([ErrMixedList]). The
//     document must have at least one tag.
//   - Cloudflare: the API's JSON needs "success": true and "result" with
//     "ipv4_cidrs" (IPv4) and "ipv6_cidrs" (IPv6); ETag is
//     "result.etag". Input that does not start with "{" is a text list:
//     one prefix a line, LF or CRLF, at most one final line end, no empty
//     lines or white space, either family. A text list cannot show that
//     it was cut at a line end; prefer the JSON when that matters. To
//     read ips-v4 and ips-v6 into one Document use [DecodeCloudflareText].
//   - Oracle: "regions", each with a non-empty "region" and "cidrs", each
//     cidr with "cidr" and "tags" (a list of non-empty strings, possibly
//     empty). Created is "last_updated_timestamp" (UTC when it has no
//     offset).
func (o DecodeOptions) DecodeFeed(r io.Reader, f Feed) (*Document, error) {
	if !f.valid() {
		return nil, unknownFeed(f)
	}
	data, err := o.read(r)
	if err != nil {
		return nil, err
	}
	return o.DecodeFeedBytes(data, f)
}

// DecodeFeedBytes decodes a document of feed f held in memory; see
// [DecodeOptions.DecodeFeed]. The returned Document does not retain data.
func (o DecodeOptions) DecodeFeedBytes(data []byte, f Feed) (*Document, error) {
	if f == Azure {
		return o.DecodeBytes(data)
	}
	if !f.valid() {
		return nil, unknownFeed(f)
	}
	data, err := o.input(data)
	if err != nil {
		return nil, err
	}
	d := decoder{data: data}
	b := newTagBuilder(f, data)
	doc := &Document{Feed: f}
	switch f {
	case AWS:
		err = d.aws(doc, b)
	case GoogleCloud, Google:
		err = d.google(doc, b)
	case GitHub:
		err = d.github(b)
	case Cloudflare:
		if isJSONObject(data) {
			err = d.cloudflare(doc, b)
		} else {
			err = b.textList(data, "", anyFamily)
		}
	case Oracle:
		err = d.oracle(doc, b)
	}
	if err != nil {
		return nil, err
	}
	b.finish(doc)
	return doc, nil
}

// DecodeCloudflareText decodes Cloudflare's two text lists, ips-v4 and
// ips-v6, into one Document with the default options. See
// [DecodeOptions.DecodeCloudflareText].
func DecodeCloudflareText(v4, v6 io.Reader) (*Document, error) {
	return DecodeOptions{}.DecodeCloudflareText(v4, v6)
}

// DecodeCloudflareText decodes Cloudflare's text lists ips-v4 and ips-v6
// (in that order; either may be gzip-compressed, each at most MaxSize
// bytes) into one Document whose "Cloudflare" tag holds the IPv4 prefixes
// and then the IPv6 ones. Every prefix of v4 must be IPv4 and every
// prefix of v6 IPv6 ([ErrWrongFamily] otherwise), so swapped arguments
// fail. The lists have no final newline, so concatenating them with
// io.MultiReader would join two lines; this function reads them apart.
func (o DecodeOptions) DecodeCloudflareText(v4, v6 io.Reader) (*Document, error) {
	var lists [2][]byte
	for i, r := range []io.Reader{v4, v6} {
		data, err := o.read(r)
		if err == nil {
			data, err = o.input(data)
		}
		if err != nil {
			return nil, err
		}
		lists[i] = data
	}
	b := newTagBuilder(Cloudflare, lists[0])
	if err := b.textList(lists[0], "ips-v4 ", 4); err != nil {
		return nil, err
	}
	if err := b.textList(lists[1], "ips-v6 ", 6); err != nil {
		return nil, err
	}
	doc := &Document{Feed: Cloudflare}
	b.finish(doc)
	return doc, nil
}

func unknownFeed(f Feed) error {
	return fmt.Errorf("%w %s; the feeds are the constants Azure to Oracle", ErrUnknownFeed, f)
}

// isJSONObject reports whether the first byte after white space is '{'.
func isJSONObject(data []byte) bool {
	t := bytes.TrimLeft(data, " \t\r\n")
	return len(t) > 0 && t[0] == '{'
}

// sniffLimit bounds how much of a gzip stream DetectFeed decompresses.
const sniffLimit = 64 << 10

// DetectFeed tells the feed of a document from its shape, for files given
// without a feed name. data may be gzip-compressed. It looks at the
// top-level keys (and at the first row of a "prefixes" list) in order and
// decides on the first key that only one feed uses:
//
//   - Azure: "values", "value", "cloud", "changeNumber" or "nextLink";
//   - AWS: "createDate", "ipv6_prefixes", or rows with "ip_prefix";
//   - GoogleCloud: rows with "ipv4Prefix" or "ipv6Prefix" and "scope" or
//     "service"; Google: such rows without them;
//   - GitHub: "verifiable_password_authentication", "ssh_key_fingerprints",
//     "ssh_keys", "hooks", "web", "api", "git", "actions" or "domains";
//   - Cloudflare: "result" or "success", or text whose first line is a
//     prefix;
//   - Oracle: "last_updated_timestamp" or "regions".
//
// DetectFeed only looks; it does not validate. Decode the data with
// [DecodeFeedBytes] and the feed it returns. Data that matches none (or
// a Google document with no rows, which could be either Google feed)
// gives an error matching [ErrUnknownFeed].
func DetectFeed(data []byte) (Feed, error) {
	if isGzip(data) {
		zr, err := gzip.NewReader(bytes.NewReader(data))
		if err != nil {
			return 0, gzipError(err)
		}
		// A cut stream is expected here: only the start is read.
		data, _ = io.ReadAll(io.LimitReader(zr, sniffLimit))
	}
	if !isJSONObject(data) {
		line, _, _ := bytes.Cut(data, []byte("\n"))
		if _, err := parsePrefix(bytes.TrimSuffix(line, []byte("\r"))); err == nil {
			return Cloudflare, nil
		}
		return 0, fmt.Errorf("%w: the input is neither a JSON object nor a list of prefixes; name its feed (for example aws:FILE)", ErrUnknownFeed)
	}
	d := decoder{data: data}
	if f, ok := d.sniff(); ok {
		return f, nil
	}
	return 0, fmt.Errorf("%w: no key of the input tells its feed; name it (for example aws:FILE)", ErrUnknownFeed)
}

var sniffKeys = map[string]Feed{
	"values": Azure, "value": Azure, "cloud": Azure, "changeNumber": Azure, "nextLink": Azure,
	"createDate": AWS, "ipv6_prefixes": AWS,
	"verifiable_password_authentication": GitHub, "ssh_key_fingerprints": GitHub, "ssh_keys": GitHub,
	"hooks": GitHub, "web": GitHub, "api": GitHub, "git": GitHub, "actions": GitHub, "domains": GitHub,
	"result": Cloudflare, "success": Cloudflare,
	"last_updated_timestamp": Oracle, "regions": Oracle,
}

// sniff reads the top-level keys until one tells the feed. It stops at
// the first syntax error, so a cut input is fine.
func (d *decoder) sniff() (Feed, bool) {
	if c, err := d.peek(); err != nil || c != '{' {
		return 0, false
	}
	d.pos++
	for first := true; ; first = false {
		key, more, err := d.nextKey(first)
		if err != nil || !more {
			return 0, false
		}
		if f, ok := sniffKeys[string(key)]; ok {
			return f, true
		}
		if string(key) == "prefixes" && d.data[d.pos] == '[' {
			if f, ok := d.sniffRow(); ok {
				return f, true
			}
			continue // an empty list, consumed
		}
		if d.skip(1) != nil {
			return 0, false
		}
	}
}

// sniffRow looks at the keys of the first row of a "prefixes" list. It
// returns ok == false, having consumed the list, for an empty list, and
// otherwise stops anywhere.
func (d *decoder) sniffRow() (f Feed, ok bool) {
	d.pos++
	more, err := d.nextElem(true)
	if err != nil || !more || d.data[d.pos] != '{' {
		return 0, false
	}
	d.pos++
	google, scoped := false, false
	for first := true; ; first = false {
		key, more, err := d.nextKey(first)
		if err != nil {
			return 0, false
		}
		if !more {
			break
		}
		switch string(key) {
		case "ip_prefix", "ipv6_prefix", "network_border_group":
			return AWS, true
		case "scope":
			return GoogleCloud, true
		case "service": // AWS rows have one too
			scoped = true
		case "ipv4Prefix", "ipv6Prefix":
			google = true
		}
		if d.skip(2) != nil {
			return 0, false
		}
	}
	switch {
	case google && scoped:
		return GoogleCloud, true
	case google:
		return Google, true
	}
	return 0, false
}
