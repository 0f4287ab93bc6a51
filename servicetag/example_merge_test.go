package servicetag_test

import (
	"fmt"
	"net/netip"
	"strings"

	"github.com/ipallow/ipallow/servicetag"
)

func ExampleMerge() {
	azure, _ := servicetag.Decode(strings.NewReader(download))
	aws, _ := servicetag.DecodeFeed(strings.NewReader(awsRanges), servicetag.AWS)
	github, _ := servicetag.DecodeFeed(strings.NewReader(`{"hooks": ["192.30.252.0/22", "2a0a:a440::/29"], "ssh_keys": ["ssh-ed25519 AAAA"]}`), servicetag.GitHub)
	cloudflare, _ := servicetag.DecodeCloudflareText(strings.NewReader("173.245.48.0/20\n103.21.244.0/22"), strings.NewReader("2400:cb00::/32"))

	doc, err := servicetag.Merge(azure, aws, github, cloudflare)
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, p := range doc.Parts {
		fmt.Println(p, p.Tags)
	}
	set, err := doc.Expand("GitHub.hooks", "cloudflare", "AWS.CLOUDFRONT", "Storage.FranceCentral")
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(set.Contains(netip.MustParseAddr("192.30.252.10")), set.Contains(netip.MustParseAddr("8.8.8.8")))

	_, err = servicetag.Merge(doc, github)
	fmt.Println(err)
	// Output:
	// azure Public 2
	// aws 8
	// github 1
	// cloudflare 1
	// true false
	// servicetag: merge: tag "GitHub.hooks" of docs[1] (github) has the same name ignoring case as tag "GitHub.hooks" of docs[0] (merged from azure Public, aws, github, cloudflare); tag names must be unique across the merged documents
}
