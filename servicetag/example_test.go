package servicetag_test

import (
	"errors"
	"fmt"
	"net/netip"
	"strings"

	"github.com/ipallow/ipallow/servicetag"
)

// A small download in the weekly file's shape.
const download = `{
  "changeNumber": 374,
  "cloud": "Public",
  "values": [
    {"name": "AzureCloud.centralfrance", "id": "AzureCloud.centralfrance",
     "properties": {"changeNumber": 9, "region": "centralfrance", "regionId": 40, "platform": "Azure",
      "systemService": "", "addressPrefixes": ["20.19.0.0/16", "2603:1020:800::/47"], "networkFeatures": null}},
    {"name": "Storage.FranceCentral", "id": "Storage.FranceCentral",
     "properties": {"changeNumber": 4, "region": "centralfrance", "regionId": 40, "platform": "Azure",
      "systemService": "AzureStorage", "addressPrefixes": ["20.38.128.0/21", "52.239.134.0/24"], "networkFeatures": ["API", "NSG"]}}
  ]
}`

func ExampleDecode() {
	doc, err := servicetag.Decode(strings.NewReader(download))
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(doc.Cloud, doc.ChangeNumber, len(doc.Tags))
	tag, _ := doc.Lookup("storage.francecentral")
	fmt.Println(tag.Name, tag.Region, tag.ChangeNumber, tag.Prefixes)
	// Output:
	// Public 374 2
	// Storage.FranceCentral centralfrance 4 [20.38.128.0/21 52.239.134.0/24]
}

func ExampleDocument_Lookup() {
	doc, _ := servicetag.Decode(strings.NewReader(download))
	// AzureCloud's regional tags use Azure's internal region names.
	_, err := doc.Lookup("AzureCloud.francecentral")
	fmt.Println(err)
	fmt.Println(errors.Is(err, servicetag.ErrUnknownTag))
	var unknown *servicetag.UnknownTagError
	if errors.As(err, &unknown) {
		fmt.Println(unknown.Suggestions)
	}
	// Output:
	// servicetag: unknown tag "AzureCloud.francecentral"; did you mean "AzureCloud.centralfrance"?
	// true
	// [AzureCloud.centralfrance]
}

func ExampleDocument_Expand() {
	doc, _ := servicetag.Decode(strings.NewReader(download))
	set, err := doc.Expand("AzureCloud.centralfrance", "Storage.FranceCentral")
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(set.Prefixes())
	fmt.Println(set.Contains(netip.MustParseAddr("52.239.134.7")))
	fmt.Println(set.Contains(netip.MustParseAddr("52.239.135.7")))
	// Output:
	// [20.19.0.0/16 20.38.128.0/21 52.239.134.0/24 2603:1020:800::/47]
	// true
	// false
}

func ExampleDiff() {
	old, _ := servicetag.Decode(strings.NewReader(download))
	newer := strings.Replace(download, `"52.239.134.0/24"`, `"52.239.134.0/23"`, 1)
	newer = strings.Replace(newer, `"changeNumber": 4`, `"changeNumber": 5`, 1)
	cur, _ := servicetag.Decode(strings.NewReader(newer))
	for _, c := range servicetag.Diff(old, cur).Changed {
		fmt.Println(c.Name, c.OldChangeNumber, "->", c.NewChangeNumber, "gained", c.Gained, "lost", c.Lost)
	}
	fmt.Println(old.Hash() == cur.Hash())
	// Output:
	// Storage.FranceCentral 4 -> 5 gained [52.239.135.0/24] lost []
	// false
}
