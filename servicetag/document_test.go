package servicetag

import (
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestTagBaseAndRegional(t *testing.T) {
	tests := []struct {
		tag      Tag
		base     string
		regional bool
	}{
		{Tag{Name: "AzureCloud"}, "AzureCloud", false},
		{Tag{Name: "AzureCloud.westeurope", Region: "westeurope"}, "AzureCloud", true},
		{Tag{Name: "AzureFrontDoor.Backend"}, "AzureFrontDoor", false},
		{Tag{Name: "AzurePortal.AzureAppServiceUx", Region: "usgovtexas"}, "AzurePortal", true},
		{Tag{Name: "Odd", Region: "westeurope"}, "Odd", false},
	}
	for _, tt := range tests {
		if got := tt.tag.Base(); got != tt.base {
			t.Errorf("%s: Base() = %q, want %q", tt.tag.Name, got, tt.base)
		}
		if got := tt.tag.IsRegional(); got != tt.regional {
			t.Errorf("%s: IsRegional() = %v, want %v", tt.tag.Name, got, tt.regional)
		}
	}
}

func TestRegionKey(t *testing.T) {
	same := [][]string{
		{"FranceCentral", "centralfrance", "france-central", "France Central"},
		{"WestCentralUS", "westcentralus", "uswestcentral", "centralwestus"},
		{"eastus2", "EastUS2", "us2east"},
	}
	for _, group := range same {
		for _, s := range group[1:] {
			if regionKey(s) != regionKey(group[0]) {
				t.Errorf("regionKey(%q) = %q, regionKey(%q) = %q; want equal", s, regionKey(s), group[0], regionKey(group[0]))
			}
		}
	}
	if regionKey("westus") == regionKey("eastus") || regionKey("northeurope") == regionKey("westeurope") {
		t.Error("different regions got the same key")
	}
}

func TestLookupHandBuiltDocument(t *testing.T) {
	d := &Document{Tags: []Tag{
		{Name: "Storage", Prefixes: prefixes("10.0.0.0/8")},
		{Name: "Storage.FranceCentral", Region: "centralfrance", Prefixes: prefixes("10.1.0.0/16")},
		{Name: "Sql", Prefixes: prefixes("192.0.2.0/24")},
		{Name: "AzureCloud.centralfrance", Region: "centralfrance", Prefixes: prefixes("10.1.0.0/16")},
	}}
	tests := []struct {
		name string
		want []string // suggestions; nil means found
	}{
		{"STORAGE", nil},
		{"storage.francecentral", nil},
		{"Storage.centralfrance", []string{"Storage.FranceCentral", "Storage"}},
		{"AzureCloud.FranceCentral", []string{"AzureCloud.centralfrance"}},
		{"Stroage", []string{"Storage"}},
		{"Sqll", []string{"Sql"}},
		{"Nothing.AtAll", []string{}},
		{"", []string{}},
	}
	for _, tt := range tests {
		tag, err := d.Lookup(tt.name)
		if tt.want == nil {
			if err != nil {
				t.Errorf("Lookup(%q): %v", tt.name, err)
			}
			continue
		}
		var ue *UnknownTagError
		if !errors.As(err, &ue) || !errors.Is(err, ErrUnknownTag) {
			t.Errorf("Lookup(%q) = %v, %v; want an *UnknownTagError", tt.name, tag.Name, err)
			continue
		}
		if diff := cmp.Diff(tt.want, ue.Suggestions, cmp.Transformer("nonNil", func(s []string) []string {
			if s == nil {
				return []string{}
			}
			return s
		})); diff != "" {
			t.Errorf("Lookup(%q) suggestions (-want +got):\n%s", tt.name, diff)
		}
	}
	set, err := d.Expand("storage", "SQL")
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(prefixes("10.0.0.0/8", "192.0.2.0/24"), set.Prefixes(), cmpPrefix); diff != "" {
		t.Errorf("Expand (-want +got):\n%s", diff)
	}
	if _, err := d.Expand("Storage", "Nope"); !errors.Is(err, ErrUnknownTag) {
		t.Errorf("Expand with an unknown name: %v", err)
	}
	if set, err := d.Expand(); err != nil || len(set.Prefixes()) != 0 {
		t.Errorf("Expand() = %v, %v", set, err)
	}
}

func TestHashDistinguishesFields(t *testing.T) {
	base := func() *Document {
		return &Document{Cloud: "Public", ChangeNumber: 1, Tags: []Tag{
			{Name: "A", Region: "r", ChangeNumber: 1, Prefixes: prefixes("10.0.0.0/8", "::/0"), NetworkFeatures: []string{"API", "NSG"}},
			{Name: "B", Prefixes: prefixes("192.0.2.0/24")},
		}}
	}
	h := base().Hash()
	same := base()
	same.ChangeNumber = 2
	same.Tags[0], same.Tags[1] = same.Tags[1], same.Tags[0]
	same.Tags[1].Prefixes = prefixes("::/0", "10.0.0.0/8")
	same.Tags[1].NetworkFeatures = []string{"NSG", "API"}
	if same.Hash() != h {
		t.Error("order of tags, prefixes or features or the top-level changeNumber changed the hash")
	}
	for name, mutate := range map[string]func(d *Document){
		"cloud":         func(d *Document) { d.Cloud = "China" },
		"name":          func(d *Document) { d.Tags[0].Name = "a" },
		"region":        func(d *Document) { d.Tags[0].Region = "" },
		"changeNumber":  func(d *Document) { d.Tags[0].ChangeNumber = 2 },
		"prefix":        func(d *Document) { d.Tags[1].Prefixes = prefixes("192.0.2.0/25") },
		"feature":       func(d *Document) { d.Tags[0].NetworkFeatures = []string{"API"} },
		"moved prefix":  func(d *Document) { d.Tags[0].Prefixes, d.Tags[1].Prefixes = d.Tags[1].Prefixes, d.Tags[0].Prefixes },
		"dropped tag":   func(d *Document) { d.Tags = d.Tags[:1] },
		"systemService": func(d *Document) { d.Tags[1].SystemService = "x" },
	} {
		d := base()
		mutate(d)
		if d.Hash() == h {
			t.Errorf("changing the %s did not change the hash", name)
		}
	}
}

func TestEditDistance(t *testing.T) {
	tests := []struct {
		a, b string
		want int
	}{
		{"", "", 0}, {"abc", "abc", 0}, {"abc", "", 3}, {"storage", "stroage", 1}, {"azureclod", "azurecloud", 1},
		{"kitten", "sitting", 3}, {"ab", "ba", 1},
	}
	for _, tt := range tests {
		if got := editDistance(tt.a, tt.b, 10); got != tt.want {
			t.Errorf("editDistance(%q, %q) = %d, want %d", tt.a, tt.b, got, tt.want)
		}
		if got := editDistance(tt.a, tt.b, 0); (got == 0) != (tt.want == 0) {
			t.Errorf("editDistance(%q, %q, limit 0) = %d", tt.a, tt.b, got)
		}
	}
}
