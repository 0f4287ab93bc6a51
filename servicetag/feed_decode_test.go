package servicetag

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

// Small valid documents of each feed, in the published shapes.
const (
	awsSmall = `{"syncToken": "1", "createDate": "2025-07-24-20-23-14", "prefixes": [
  {"ip_prefix": "10.0.0.0/8", "region": "us-east-1", "service": "AMAZON", "network_border_group": "us-east-1"},
  {"ip_prefix": "10.0.0.0/8", "region": "us-east-1", "service": "EC2", "network_border_group": "us-east-1"},
  {"service": "CLOUDFRONT", "ip_prefix": "192.0.2.0/24", "region": "GLOBAL", "x": [1, {"y": null}]}],
 "ipv6_prefixes": [{"ipv6_prefix": "2001:db8::/32", "region": "us-east-1", "service": "EC2", "network_border_group": "us-east-1"}],
 "extra": {}}`
	googleCloudSmall = `{"syncToken": "2", "creationTime": "2025-07-24T19:16:28.780563", "prefixes": [
  {"ipv4Prefix": "34.1.208.0/20", "service": "Google Cloud", "scope": "africa-south1"},
  {"ipv6Prefix": "2600:1900:8000::/44", "service": "Google Cloud", "scope": "africa-south1"},
  {"scope": "global", "ipv4Prefix": "34.1.208.0/20"}]}`
	googleSmall = `{"syncToken": "3", "creationTime": "2024-04-25T07:05:03.68994", "prefixes": [{"ipv4Prefix": "8.8.4.0/24"}, {"ipv6Prefix": "2001:4860::/32"}]}`
	githubSmall = `{"verifiable_password_authentication": false, "ssh_keys": ["ssh-ed25519 AAAA"], "hooks": ["192.30.252.0/22", "2a0a:a440::/29"],
 "empty": [], "numbers": [1, 2], "domains": {"website": ["*.github.com"], "nested": ["10.0.0.0/8"]}, "actions": ["4.148.0.0/16", "4.148.0.0/16"]}`
	cloudflareJSONSmall = `{"result": {"ipv4_cidrs": ["173.245.48.0/20"], "ipv6_cidrs": ["2400:cb00::/32"], "etag": "38f79d050aa027e3be3865e495dcc9bc"},
 "success": true, "errors": [], "messages": []}`
	cloudflareTextSmall = "173.245.48.0/20\n2400:cb00::/32"
	oracleSmall         = `{"last_updated_timestamp": "2025-07-21T07:13:25.457838", "regions": [
  {"region": "us-ashburn-1", "cidrs": [{"cidr": "129.80.0.0/16", "tags": ["OCI"]}, {"cidr": "134.70.24.0/21", "tags": ["OSN", "OBJECT_STORAGE"]}]},
  {"cidrs": [{"tags": [], "cidr": "192.0.2.0/24"}, {"cidr": "129.80.0.0/16", "tags": ["OCI"]}], "region": "us-phoenix-1"}]}`
)

func TestDecodeFeedValid(t *testing.T) {
	tests := []struct {
		name string
		feed Feed
		in   string
		want *Document
	}{
		{"aws", AWS, awsSmall, &Document{Feed: AWS, SyncToken: "1", Created: time.Date(2025, 7, 24, 20, 23, 14, 0, time.UTC), Tags: []Tag{
			{Name: "AWS", Prefixes: prefixes("10.0.0.0/8", "192.0.2.0/24", "2001:db8::/32")},
			{Name: "AWS.AMAZON", SystemService: "AMAZON", Prefixes: prefixes("10.0.0.0/8")},
			{Name: "AWS.AMAZON.us-east-1", Region: "us-east-1", SystemService: "AMAZON", Prefixes: prefixes("10.0.0.0/8")},
			{Name: "AWS.EC2", SystemService: "EC2", Prefixes: prefixes("10.0.0.0/8", "2001:db8::/32")},
			{Name: "AWS.EC2.us-east-1", Region: "us-east-1", SystemService: "EC2", Prefixes: prefixes("10.0.0.0/8", "2001:db8::/32")},
			{Name: "AWS.CLOUDFRONT", SystemService: "CLOUDFRONT", Prefixes: prefixes("192.0.2.0/24")},
			{Name: "AWS.CLOUDFRONT.GLOBAL", Region: "GLOBAL", SystemService: "CLOUDFRONT", Prefixes: prefixes("192.0.2.0/24")},
		}}},
		{"googlecloud", GoogleCloud, googleCloudSmall, &Document{Feed: GoogleCloud, SyncToken: "2", Created: time.Date(2025, 7, 24, 19, 16, 28, 780563000, time.UTC), Tags: []Tag{
			{Name: "GoogleCloud", Prefixes: prefixes("34.1.208.0/20", "2600:1900:8000::/44")},
			{Name: "GoogleCloud.africa-south1", Region: "africa-south1", Prefixes: prefixes("34.1.208.0/20", "2600:1900:8000::/44")},
			{Name: "GoogleCloud.global", Region: "global", Prefixes: prefixes("34.1.208.0/20")},
		}}},
		{"google", Google, googleSmall, &Document{Feed: Google, SyncToken: "3", Created: time.Date(2024, 4, 25, 7, 5, 3, 689940000, time.UTC), Tags: []Tag{
			{Name: "Google", Prefixes: prefixes("8.8.4.0/24", "2001:4860::/32")},
		}}},
		{"github", GitHub, githubSmall, &Document{Feed: GitHub, Tags: []Tag{
			{Name: "GitHub.hooks", Prefixes: prefixes("192.30.252.0/22", "2a0a:a440::/29")},
			{Name: "GitHub.empty"},
			{Name: "GitHub.actions", Prefixes: prefixes("4.148.0.0/16")},
		}}},
		{"cloudflare json", Cloudflare, cloudflareJSONSmall, &Document{Feed: Cloudflare, ETag: "38f79d050aa027e3be3865e495dcc9bc", Tags: []Tag{
			{Name: "Cloudflare", Prefixes: prefixes("173.245.48.0/20", "2400:cb00::/32")},
		}}},
		{"cloudflare text", Cloudflare, cloudflareTextSmall, &Document{Feed: Cloudflare, Tags: []Tag{
			{Name: "Cloudflare", Prefixes: prefixes("173.245.48.0/20", "2400:cb00::/32")},
		}}},
		{"cloudflare text, CRLF and a final newline", Cloudflare, "173.245.48.0/20\r\n2400:cb00::/32\r\n", &Document{Feed: Cloudflare, Tags: []Tag{
			{Name: "Cloudflare", Prefixes: prefixes("173.245.48.0/20", "2400:cb00::/32")},
		}}},
		{"oracle", Oracle, oracleSmall, &Document{Feed: Oracle, Created: time.Date(2025, 7, 21, 7, 13, 25, 457838000, time.UTC), Tags: []Tag{
			{Name: "Oracle", Prefixes: prefixes("129.80.0.0/16", "134.70.24.0/21", "192.0.2.0/24")},
			{Name: "Oracle.OCI", SystemService: "OCI", Prefixes: prefixes("129.80.0.0/16")},
			{Name: "Oracle.OCI.us-ashburn-1", Region: "us-ashburn-1", SystemService: "OCI", Prefixes: prefixes("129.80.0.0/16")},
			{Name: "Oracle.OSN", SystemService: "OSN", Prefixes: prefixes("134.70.24.0/21")},
			{Name: "Oracle.OSN.us-ashburn-1", Region: "us-ashburn-1", SystemService: "OSN", Prefixes: prefixes("134.70.24.0/21")},
			{Name: "Oracle.OBJECT_STORAGE", SystemService: "OBJECT_STORAGE", Prefixes: prefixes("134.70.24.0/21")},
			{Name: "Oracle.OBJECT_STORAGE.us-ashburn-1", Region: "us-ashburn-1", SystemService: "OBJECT_STORAGE", Prefixes: prefixes("134.70.24.0/21")},
			{Name: "Oracle.OCI.us-phoenix-1", Region: "us-phoenix-1", SystemService: "OCI", Prefixes: prefixes("129.80.0.0/16")},
		}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, in := range [][]byte{[]byte(tt.in), gzipBytes([]byte(tt.in))} {
				got, err := DecodeFeed(bytes.NewReader(in), tt.feed)
				if err != nil {
					t.Fatal(err)
				}
				if diff := cmp.Diff(tt.want, got, cmpPrefix, cmpopts.IgnoreUnexported(Document{})); diff != "" {
					t.Errorf("(-want +got):\n%s", diff)
				}
				for _, tag := range tt.want.Tags {
					if found, err := got.Lookup(strings.ToLower(tag.Name)); err != nil || found.Name != tag.Name {
						t.Errorf("Lookup(%q) = %q, %v", strings.ToLower(tag.Name), found.Name, err)
					}
				}
				if f, err := DetectFeed(in); err != nil || f != tt.feed {
					t.Errorf("DetectFeed = %v, %v", f, err)
				}
			}
		})
	}
}

func TestDecodeFeedAzureIsDecode(t *testing.T) {
	in := []byte(doc(entry("A", `"10.0.0.0/8"`)))
	want, err := DecodeBytes(in)
	if err != nil {
		t.Fatal(err)
	}
	got, err := DecodeFeed(bytes.NewReader(in), Azure)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(want, got, cmpPrefix, cmpopts.IgnoreUnexported(Document{})); diff != "" || got.Feed != Azure {
		t.Errorf("(-Decode +DecodeFeed):\n%s", diff)
	}
	_, err1 := DecodeBytes([]byte(`{"values": 1}`))
	_, err2 := DecodeFeedBytes([]byte(`{"values": 1}`), Azure)
	if err1 == nil || err2 == nil || err1.Error() != err2.Error() {
		t.Errorf("errors differ: %v / %v", err1, err2)
	}
}

func TestDecodeFeedErrors(t *testing.T) {
	aws := func(rows, v6 string) string {
		return `{"syncToken": "1", "prefixes": [` + rows + `], "ipv6_prefixes": [` + v6 + `]}`
	}
	row := func(p, svc, region string) string {
		return `{"ip_prefix": "` + p + `", "region": "` + region + `", "service": "` + svc + `", "network_border_group": "` + region + `"}`
	}
	row6 := func(p string) string {
		return `{"ipv6_prefix": "` + p + `", "region": "us-east-1", "service": "EC2"}`
	}
	gc := func(rows ...string) string {
		return `{"syncToken": "1", "prefixes": [` + strings.Join(rows, ",") + `]}`
	}
	cf := func(v4, v6 string) string {
		return `{"result": {"ipv4_cidrs": [` + v4 + `], "ipv6_cidrs": [` + v6 + `], "etag": "e"}, "success": true}`
	}
	or := func(cidrs string) string {
		return `{"regions": [{"region": "us-ashburn-1", "cidrs": [` + cidrs + `]}]}`
	}
	tests := []struct {
		feed Feed
		name string
		in   string
		is   error  // errors.Is target, or nil
		msg  string // substring of the message
	}{
		// AWS
		{AWS, "truncated", awsSmall[:100], ErrTruncated, "unexpected end of input"},
		{AWS, "trailing data", awsSmall + ` {}`, nil, "after the top-level"},
		{AWS, "duplicate key", `{"syncToken": "1", "syncToken": "2", "prefixes": [], "ipv6_prefixes": []}`, nil, `field "syncToken" at byte 32: key appears more than once`},
		{AWS, "duplicate key in a row", aws(`{"ip_prefix": "10.0.0.0/8", "service": "A", "service": "B", "region": "r"}`, ""), nil, `field "prefixes[0].service" at byte 87: key appears more than once`},
		{AWS, "host bits", aws(row("10.1.0.0/8", "EC2", "us-east-1"), ""), ErrNonCanonicalPrefix,
			`servicetag: aws: tag "AWS.EC2.us-east-1": prefixes[0].ip_prefix "10.1.0.0/8" at byte 46: prefix is not canonical (host bits set); the canonical form is 10.0.0.0/8`},
		{AWS, "mapped", aws("", row6("::ffff:10.0.0.0/104")), ErrMappedPrefix, `ipv6_prefixes[0].ipv6_prefix "::ffff:10.0.0.0/104" at byte 69: prefix is IPv4-mapped IPv6; write the IPv4 prefix 10.0.0.0/8`},
		{AWS, "zone", aws("", row6("fe80::%eth0/64")), nil, `tag "AWS.EC2.us-east-1": ipv6_prefixes[0].ipv6_prefix "fe80::%eth0/64"`},
		{AWS, "bare address", aws(row("10.0.0.1", "EC2", "r"), ""), nil, `no '/'`},
		{AWS, "IPv6 in ip_prefix", aws(row("2001:db8::/32", "EC2", "r"), ""), ErrWrongFamily, "an IPv6 prefix where the feed lists IPv4 prefixes"},
		{AWS, "IPv4 in ipv6_prefix", aws("", row6("10.0.0.0/8")), ErrWrongFamily, "an IPv4 prefix where"},
		{AWS, "ipv6_prefix in prefixes", aws(`{"ipv6_prefix": "2001:db8::/32", "service": "A", "region": "r"}`, ""), ErrMissingField, `field "prefixes[0].ip_prefix"`},
		{AWS, "service is a number", aws(`{"ip_prefix": "10.0.0.0/8", "service": 5, "region": "r"}`, ""), ErrWrongType, `field "prefixes[0].service" at byte 71: wrong JSON type: got number, want string`},
		{AWS, "service is null", aws(`{"ip_prefix": "10.0.0.0/8", "service": null, "region": "r"}`, ""), ErrWrongType, "got null"},
		{AWS, "prefixes is an object", `{"prefixes": {}, "ipv6_prefixes": []}`, ErrWrongType, `field "prefixes"`},
		{AWS, "row is a string", aws(`"10.0.0.0/8"`, ""), ErrWrongType, `field "prefixes[0]"`},
		{AWS, "document is an array", `[]`, ErrWrongType, `field "(document)"`},
		{AWS, "syncToken is a number", `{"syncToken": 1, "prefixes": [], "ipv6_prefixes": []}`, ErrWrongType, `field "syncToken"`},
		{AWS, "missing ipv6_prefixes", `{"prefixes": []}`, ErrMissingField, `is this AWS's ip-ranges.json?`},
		{AWS, "missing region", aws(`{"ip_prefix": "10.0.0.0/8", "service": "EC2"}`, ""), ErrMissingField, `field "prefixes[0].region" at byte 32: missing field: every row needs one`},
		{AWS, "empty service", aws(row("10.0.0.0/8", "", "r"), ""), ErrMissingField, `field "prefixes[0].service"`},
		{AWS, "services equal ignoring case", aws(row("10.0.0.0/8", "EC2", "r")+","+row("10.0.0.0/8", "ec2", "r"), ""), ErrDuplicateTag, `duplicate tag "AWS.ec2"`},
		{AWS, "bad createDate", `{"createDate": "2025-07-24 20:23:14", "prefixes": [], "ipv6_prefixes": []}`, nil, `invalid time "2025-07-24 20:23:14"`},
		{AWS, "invalid UTF-8", aws(row("10.0.0.0/8", "EC2\xff", "r"), ""), nil, "invalid UTF-8"},
		// GoogleCloud and Google
		{GoogleCloud, "truncated", googleCloudSmall[:80], ErrTruncated, ""},
		{GoogleCloud, "trailing data", googleCloudSmall + "]", nil, "after the top-level"},
		{GoogleCloud, "duplicate key", gc(`{"ipv4Prefix": "10.0.0.0/8", "scope": "a", "scope": "b"}`), nil, "more than once"},
		{GoogleCloud, "both prefix keys", gc(`{"ipv4Prefix": "10.0.0.0/8", "ipv6Prefix": "2001:db8::/32", "scope": "a"}`), nil, `not both`},
		{GoogleCloud, "host bits", gc(`{"ipv4Prefix": "10.0.0.1/8", "scope": "us-central1"}`), ErrNonCanonicalPrefix, `googlecloud: tag "GoogleCloud.us-central1": prefixes[0].ipv4Prefix "10.0.0.1/8" at byte 47`},
		{GoogleCloud, "mapped", gc(`{"ipv6Prefix": "::ffff:10.0.0.0/104", "scope": "a"}`), ErrMappedPrefix, "10.0.0.0/8"},
		{GoogleCloud, "zone", gc(`{"ipv6Prefix": "fe80::%1/64", "scope": "a"}`), nil, "zone"},
		{GoogleCloud, "wrong family", gc(`{"ipv4Prefix": "2001:db8::/32", "scope": "a"}`), ErrWrongFamily, ""},
		{GoogleCloud, "scope is a number", gc(`{"ipv4Prefix": "10.0.0.0/8", "scope": 1}`), ErrWrongType, `prefixes[0].scope`},
		{GoogleCloud, "missing scope", gc(`{"ipv4Prefix": "10.0.0.0/8"}`), ErrMissingField, "every row of cloud.json needs one"},
		{GoogleCloud, "missing prefix", gc(`{"scope": "a"}`), ErrMissingField, `"ipv4Prefix" or "ipv6Prefix"`},
		{GoogleCloud, "missing prefixes", `{"syncToken": "1"}`, ErrMissingField, "is this Google's cloud.json?"},
		{GoogleCloud, "scopes equal ignoring case", gc(`{"ipv4Prefix": "10.0.0.0/8", "scope": "a"}`, `{"ipv4Prefix": "10.0.0.0/8", "scope": "A"}`), ErrDuplicateTag, ""},
		{Google, "cloud.json row", gc(`{"ipv4Prefix": "10.0.0.0/8", "scope": "a"}`), nil, "from cloud.json, the googlecloud feed"},
		{Google, "missing prefixes", `{}`, ErrMissingField, "is this Google's goog.json?"},
		{Google, "creationTime is a number", `{"creationTime": 5, "prefixes": []}`, ErrWrongType, ""},
		// GitHub
		{GitHub, "truncated", githubSmall[:120], ErrTruncated, ""},
		{GitHub, "trailing data", githubSmall + ",", nil, "after the top-level"},
		{GitHub, "duplicate key", `{"hooks": ["10.0.0.0/8"], "hooks": ["10.0.0.0/8"]}`, nil, `field "hooks" at byte 35: key appears more than once`},
		{GitHub, "keys equal ignoring case", `{"hooks": ["10.0.0.0/8"], "HOOKS": ["10.0.0.0/8"]}`, ErrDuplicateTag, `duplicate tag "GitHub.HOOKS"`},
		{GitHub, "mixed list", `{"hooks": ["10.0.0.0/8", "example.com"]}`, ErrMixedList,
			`servicetag: github: tag "GitHub.hooks": hooks[1] "example.com" at byte 25: list mixes CIDR prefixes and other values: element 0 is a CIDR prefix, this one is not (netip.ParsePrefix("example.com"): no '/'); a list holds only prefixes or none`},
		{GitHub, "mixed list, prefix last", `{"x": ["a", "b", "10.0.0.0/8"]}`, ErrMixedList, `x[0] "a"`},
		{GitHub, "number in a list", `{"hooks": ["10.0.0.0/8", 5]}`, ErrMixedList, `hooks[1] "5" at byte 25`},
		{GitHub, "bare address in a list", `{"hooks": ["10.0.0.0/8", "10.0.0.1"]}`, ErrMixedList, ""},
		{GitHub, "host bits", `{"hooks": ["10.0.0.1/8"]}`, ErrNonCanonicalPrefix, `hooks[0] "10.0.0.1/8" at byte 11`},
		{GitHub, "mapped", `{"hooks": ["::ffff:10.0.0.0/104"]}`, ErrMappedPrefix, ""},
		{GitHub, "zone", `{"hooks": ["10.0.0.0/8", "fe80::%1/64"]}`, ErrMixedList, "zone"},
		{GitHub, "document is a string", `"hooks"`, ErrWrongType, ""},
		{GitHub, "no lists", `{"message": "API rate limit exceeded", "documentation_url": "https://docs.github.com"}`, ErrMissingField, "is this GitHub's /meta?"},
		{GitHub, "long value", `{"hooks": ["10.0.0.0/8", "` + strings.Repeat("x", 1000) + `"]}`, ErrMixedList, `"` + strings.Repeat("x", 64) + `..." at byte 25`},
		// Cloudflare JSON
		{Cloudflare, "truncated", cloudflareJSONSmall[:50], ErrTruncated, ""},
		{Cloudflare, "trailing data", cloudflareJSONSmall + "x", nil, "after the top-level"},
		{Cloudflare, "duplicate key", `{"result": {"ipv4_cidrs": [], "ipv4_cidrs": [], "ipv6_cidrs": []}, "success": true}`, nil, `field "result.ipv4_cidrs"`},
		{Cloudflare, "host bits", cf(`"173.245.48.1/20"`, ""), ErrNonCanonicalPrefix, `servicetag: cloudflare: tag "Cloudflare": result.ipv4_cidrs[0] "173.245.48.1/20" at byte 27`},
		{Cloudflare, "mapped", cf("", `"::ffff:10.0.0.0/104"`), ErrMappedPrefix, ""},
		{Cloudflare, "zone", cf("", `"fe80::%1/64"`), nil, "zone"},
		{Cloudflare, "wrong family", cf(`"2400:cb00::/32"`, ""), ErrWrongFamily, ""},
		{Cloudflare, "etag is a number", `{"result": {"ipv4_cidrs": [], "ipv6_cidrs": [], "etag": 1}, "success": true}`, ErrWrongType, `field "result.etag"`},
		{Cloudflare, "success is a string", `{"result": {"ipv4_cidrs": [], "ipv6_cidrs": []}, "success": "true"}`, ErrWrongType, "want boolean"},
		{Cloudflare, "success is false", `{"result": null, "success": false, "errors": [{"code": 10000}]}`, nil, `"success" is false`},
		{Cloudflare, "missing success", `{"result": {"ipv4_cidrs": [], "ipv6_cidrs": []}}`, ErrMissingField, ""},
		{Cloudflare, "missing ipv6_cidrs", `{"result": {"ipv4_cidrs": []}, "success": true}`, ErrMissingField, `field "result.ipv6_cidrs" at byte 11`},
		{Cloudflare, "missing result", `{"success": true}`, ErrMissingField, ""},
		// Cloudflare text
		{Cloudflare, "text: empty", "", ErrTruncated, "the input is empty"},
		{Cloudflare, "text: empty line", "173.245.48.0/20\n\n103.21.244.0/22", nil, `line 2 "" at byte 16: empty line`},
		{Cloudflare, "text: two final newlines", "173.245.48.0/20\n\n", nil, "empty line"},
		{Cloudflare, "text: white space", "173.245.48.0/20 \n", nil, `line 1 "173.245.48.0/20 "`},
		{Cloudflare, "text: host bits", "173.245.48.0/20\n103.21.244.1/22", ErrNonCanonicalPrefix, `servicetag: cloudflare: tag "Cloudflare": line 2 "103.21.244.1/22" at byte 16: prefix is not canonical (host bits set); the canonical form is 103.21.244.0/22`},
		{Cloudflare, "text: mapped", "::ffff:10.0.0.0/104", ErrMappedPrefix, ""},
		{Cloudflare, "text: zone", "fe80::%1/64", nil, "zone"},
		{Cloudflare, "text: comment", "# Cloudflare\n173.245.48.0/20", nil, `line 1 "# Cloudflare"`},
		// Oracle
		{Oracle, "truncated", oracleSmall[:150], ErrTruncated, ""},
		{Oracle, "trailing data", oracleSmall + "}", nil, "after the top-level"},
		{Oracle, "duplicate key", `{"regions": [{"region": "a", "region": "b", "cidrs": []}]}`, nil, `field "regions[0].region"`},
		{Oracle, "host bits", or(`{"cidr": "129.80.0.1/16", "tags": ["OCI"]}`), ErrNonCanonicalPrefix,
			`servicetag: oracle: tag "Oracle.OCI.us-ashburn-1": regions[0].cidrs[0].cidr "129.80.0.1/16" at byte 59`},
		{Oracle, "mapped", or(`{"cidr": "::ffff:10.0.0.0/104", "tags": []}`), ErrMappedPrefix, `tag "Oracle"`},
		{Oracle, "zone", or(`{"cidr": "fe80::%1/64", "tags": []}`), nil, "zone"},
		{Oracle, "tags is a string", or(`{"cidr": "129.80.0.0/16", "tags": "OCI"}`), ErrWrongType, `regions[0].cidrs[0].tags`},
		{Oracle, "tag is a number", or(`{"cidr": "129.80.0.0/16", "tags": [1]}`), ErrWrongType, `regions[0].cidrs[0].tags[0]`},
		{Oracle, "empty tag", or(`{"cidr": "129.80.0.0/16", "tags": [""]}`), ErrMissingField, ""},
		{Oracle, "missing tags", or(`{"cidr": "129.80.0.0/16"}`), ErrMissingField, `regions[0].cidrs[0].tags`},
		{Oracle, "missing cidr", or(`{"tags": []}`), ErrMissingField, `regions[0].cidrs[0].cidr`},
		{Oracle, "missing region", `{"regions": [{"cidrs": []}]}`, ErrMissingField, `regions[0].region`},
		{Oracle, "missing regions", `{"last_updated_timestamp": "2025-07-21T07:13:25.457838"}`, ErrMissingField, "public_ip_ranges.json?"},
		{Oracle, "bad timestamp", `{"last_updated_timestamp": "yesterday", "regions": []}`, nil, `invalid time "yesterday"`},
	}
	for _, tt := range tests {
		t.Run(tt.feed.String()+"/"+tt.name, func(t *testing.T) {
			got, err := DecodeFeedBytes([]byte(tt.in), tt.feed)
			if err == nil {
				t.Fatalf("no error; decoded %+v", got)
			}
			if got != nil {
				t.Errorf("document %+v returned with the error", got)
			}
			if tt.is != nil && !errors.Is(err, tt.is) {
				t.Errorf("error %v does not match %v", err, tt.is)
			}
			if !strings.Contains(err.Error(), tt.msg) {
				t.Errorf("error %q does not contain %q", err, tt.msg)
			}
			if !strings.HasPrefix(err.Error(), "servicetag: ") {
				t.Errorf("error %q lacks the package prefix", err)
			}
			var fe *FeedPrefixError
			if errors.As(err, &fe) {
				at := tt.in[fe.Offset:]
				if !strings.HasPrefix(at, `"`+strings.TrimSuffix(fe.Value, "...")) && !strings.HasPrefix(at, strings.TrimSuffix(fe.Value, "...")) {
					t.Errorf("offset %d does not point at %q", fe.Offset, fe.Value)
				}
				if fe.Feed != tt.feed {
					t.Errorf("Feed %v", fe.Feed)
				}
			}
			if len(err.Error()) > 400 {
				t.Errorf("error is %d bytes long", len(err.Error()))
			}
		})
	}
}

// TestDecodeFeedEveryTruncation cuts each small JSON document at every
// byte: each cut must fail with ErrTruncated.
func TestDecodeFeedEveryTruncation(t *testing.T) {
	for _, tt := range []struct {
		feed Feed
		in   string
	}{{AWS, awsSmall}, {GoogleCloud, googleCloudSmall}, {Google, googleSmall}, {GitHub, githubSmall}, {Cloudflare, cloudflareJSONSmall}, {Oracle, oracleSmall}} {
		in := strings.TrimRight(tt.in, " \n")
		for i := range len(in) {
			cut := in[:i]
			if tt.feed == Cloudflare && !isJSONObject([]byte(cut)) {
				continue // the text form
			}
			if _, err := DecodeFeedBytes([]byte(cut), tt.feed); !errors.Is(err, ErrTruncated) {
				t.Errorf("%v cut at %d (%q): error %v, want ErrTruncated", tt.feed, i, cut[max(0, i-10):], err)
			}
		}
	}
}

func TestDecodeFeedSizeLimit(t *testing.T) {
	in := []byte(awsSmall)
	limit := int64(len(in))
	if _, err := (DecodeOptions{MaxSize: limit}).DecodeFeed(bytes.NewReader(in), AWS); err != nil {
		t.Errorf("input at the limit: %v", err)
	}
	if _, err := (DecodeOptions{MaxSize: limit - 1}).DecodeFeed(bytes.NewReader(in), AWS); !errors.Is(err, ErrTooLarge) {
		t.Errorf("input over the limit: %v", err)
	}
	bomb := gzipBytes(append(bytes.Repeat([]byte(" "), 2<<20), in...))
	if _, err := (DecodeOptions{MaxSize: 64 << 10}).DecodeFeedBytes(bomb, AWS); !errors.Is(err, ErrTooLarge) {
		t.Errorf("gzip bomb: %v", err)
	}
	v4, v6 := strings.NewReader("10.0.0.0/8"), strings.NewReader(strings.Repeat("2001:db8::/32\n", 10))
	if _, err := (DecodeOptions{MaxSize: 100}).DecodeCloudflareText(v4, v6); !errors.Is(err, ErrTooLarge) {
		t.Errorf("ips-v6 over the limit: %v", err)
	}
	if _, err := DecodeFeedBytes(in, Feed(99)); !errors.Is(err, ErrUnknownFeed) || err.Error() != "servicetag: unknown feed Feed(99); the feeds are the constants Azure to Oracle" {
		t.Errorf("Feed(99): %v", err)
	}
	if _, err := DecodeFeed(bytes.NewReader(in), -1); !errors.Is(err, ErrUnknownFeed) {
		t.Errorf("Feed(-1): %v", err)
	}
}

func TestParseFeed(t *testing.T) {
	for f := Azure; f <= Oracle; f++ {
		for _, name := range []string{f.String(), strings.ToUpper(f.String())} {
			if got, err := ParseFeed(name); err != nil || got != f {
				t.Errorf("ParseFeed(%q) = %v, %v", name, got, err)
			}
		}
	}
	_, err := ParseFeed("amazon")
	if !errors.Is(err, ErrUnknownFeed) || err.Error() != `servicetag: unknown feed "amazon"; the feeds are azure, aws, googlecloud, google, github, cloudflare, oracle` {
		t.Errorf("ParseFeed(amazon): %v", err)
	}
	if Feed(7).String() != "Feed(7)" {
		t.Errorf("Feed(7).String() = %q", Feed(7).String())
	}
}

func TestDetectFeed(t *testing.T) {
	for _, tt := range []struct {
		in   string
		want Feed // -1: an error
	}{
		{`{"changeNumber": 1, "values": []}`, Azure},
		{`{"name": "Public", "id": "x", "cloud": "Public"}`, Azure},
		{`{"syncToken": "1", "prefixes": [{"region": "r", "service": "S", "ip_prefix": "10.0.0.0/8"}]}`, AWS},
		{`{"syncToken": "1", "prefixes": [], "ipv6_prefixes": []}`, AWS},
		{`{"syncToken": "1", "prefixes": [{"service": "Google Cloud", "ipv4Prefix": "10.0.0.0/8"}]}`, GoogleCloud},
		{`{"syncToken": "1", "prefixes": [{"ipv4Prefix": "10.0.0.0/8"}]}`, Google},
		{`{"syncToken": "1", "creationTime": "x", "prefixes": []}`, -1}, // either Google feed
		{`{"x": 1, "hooks": []}`, GitHub},
		{`{"result": {}}`, Cloudflare},
		{"10.0.0.0/8\r\n", Cloudflare},
		{`{"regions": []}`, Oracle},
		{`{}`, -1},
		{`[]`, -1},
		{"", -1},
		{"hello", -1},
		{`{"x": [1, 2`, -1},
		{"\x1f\x8b\x08", -1},
	} {
		got, err := DetectFeed([]byte(tt.in))
		if tt.want < 0 {
			if !errors.Is(err, ErrUnknownFeed) && !errors.Is(err, ErrTruncated) {
				t.Errorf("DetectFeed(%q) = %v, %v; want an error", tt.in, got, err)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("DetectFeed(%q) = %v, %v; want %v", tt.in, got, err, tt.want)
		}
	}
	// Only the start of a gzip stream is needed.
	big := gzipBytes(rawTestdata(t, "aws_ip-ranges.json.gz"))
	if got, err := DetectFeed(big[:len(big)/4]); err != nil || got != AWS {
		t.Errorf("DetectFeed(cut gzip) = %v, %v", got, err)
	}
}

func TestLoadFeedFile(t *testing.T) {
	doc, err := LoadFeedFile(filepath.Join("testdata", "aws_ip-ranges.json.gz"), AWS)
	if err != nil || len(doc.Tags) != 612 {
		t.Fatalf("LoadFeedFile: %v", err)
	}
	_, err = LoadFeedFile(filepath.Join("testdata", "github_meta.json"), AWS)
	if !errors.Is(err, ErrMissingField) || !strings.HasPrefix(err.Error(), filepath.Join("testdata", "github_meta.json")+": servicetag: ") {
		t.Errorf("GitHub's file as AWS: %v", err)
	}
	if _, err := LoadFeedFile(filepath.Join("testdata", "nonexistent.json"), AWS); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("missing file: %v", err)
	}
}
