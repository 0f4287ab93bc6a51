package servicetag_test

import (
	"errors"
	"fmt"
	"strings"

	"github.com/ipallow/ipallow/servicetag"
)

// An excerpt of AWS's ip-ranges.json.
const awsRanges = `{
  "syncToken": "1753388594",
  "createDate": "2025-07-24-20-23-14",
  "prefixes": [
    {"ip_prefix": "3.4.12.4/32", "region": "eu-west-1", "service": "AMAZON", "network_border_group": "eu-west-1"},
    {"ip_prefix": "3.4.12.4/32", "region": "eu-west-1", "service": "EC2", "network_border_group": "eu-west-1"},
    {"ip_prefix": "120.52.22.96/27", "region": "GLOBAL", "service": "CLOUDFRONT", "network_border_group": "GLOBAL"}
  ],
  "ipv6_prefixes": [
    {"ipv6_prefix": "2600:1f14:802:7300::/56", "region": "us-west-2", "service": "EC2", "network_border_group": "us-west-2"}
  ]
}`

func ExampleDecodeFeed() {
	doc, err := servicetag.DecodeFeed(strings.NewReader(awsRanges), servicetag.AWS)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(doc.Feed, doc.SyncToken, doc.Created)
	for _, tag := range doc.Tags {
		fmt.Println(tag.Name, tag.Prefixes)
	}
	ec2, _ := doc.Lookup("aws.ec2")
	fmt.Println(ec2.Name, ec2.SystemService)
	// Output:
	// aws 1753388594 2025-07-24 20:23:14 +0000 UTC
	// AWS [3.4.12.4/32 120.52.22.96/27 2600:1f14:802:7300::/56]
	// AWS.AMAZON [3.4.12.4/32]
	// AWS.AMAZON.eu-west-1 [3.4.12.4/32]
	// AWS.EC2 [3.4.12.4/32 2600:1f14:802:7300::/56]
	// AWS.EC2.eu-west-1 [3.4.12.4/32]
	// AWS.CLOUDFRONT [120.52.22.96/27]
	// AWS.CLOUDFRONT.GLOBAL [120.52.22.96/27]
	// AWS.EC2.us-west-2 [2600:1f14:802:7300::/56]
	// AWS.EC2 EC2
}

func ExampleDecodeFeed_errors() {
	bad := strings.Replace(awsRanges, `"120.52.22.96/27"`, `"120.52.22.97/27"`, 1)
	_, err := servicetag.DecodeFeed(strings.NewReader(bad), servicetag.AWS)
	fmt.Println(err)
	fmt.Println(errors.Is(err, servicetag.ErrNonCanonicalPrefix))
	// Output:
	// servicetag: aws: tag "AWS.CLOUDFRONT.GLOBAL": prefixes[2].ip_prefix "120.52.22.97/27" at byte 331: prefix is not canonical (host bits set); the canonical form is 120.52.22.96/27
	// true
}

func ExampleParseFeed() {
	// A command line names each file with its feed: feed:file.
	for _, arg := range []string{"aws:ip-ranges.json", "GitHub:meta.json", "amazon:ip-ranges.json"} {
		name, file, _ := strings.Cut(arg, ":")
		f, err := servicetag.ParseFeed(name)
		if err != nil {
			fmt.Println(err)
			continue
		}
		fmt.Println(f, file)
	}
	// Output:
	// aws ip-ranges.json
	// github meta.json
	// servicetag: unknown feed "amazon"; the feeds are azure, aws, googlecloud, google, github, cloudflare, oracle
}

func ExampleDetectFeed() {
	for _, data := range []string{awsRanges, download, `{"hooks": []}`, "173.245.48.0/20\n103.21.244.0/22", `{"ok": true}`} {
		f, err := servicetag.DetectFeed([]byte(data))
		if err != nil {
			fmt.Println(err)
			continue
		}
		fmt.Println(f)
	}
	// Output:
	// aws
	// azure
	// github
	// cloudflare
	// servicetag: unknown feed: no key of the input tells its feed; name it (for example aws:FILE)
}
