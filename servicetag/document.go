package servicetag

import (
	"cmp"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"hash"
	"net/netip"
	"slices"
	"strings"
	"sync"
	"time"

	"go4.org/netipx"
)

// Document is one decoded publication of address ranges: an Azure weekly
// download or one response (page) of the Service Tag Discovery API, a
// provider feed read by [DecodeFeed], or several of those combined by
// [Merge].
//
// A Document returned by Decode, DecodeFeed or Merge is indexed for
// case-insensitive lookup. A Document built by hand is indexed on its
// first Lookup; do not change its Tags after that. Methods are safe for
// concurrent use as long as nobody modifies the Document. The zero
// Document and a nil *Document have no tags.
type Document struct {
	// Cloud is "Public", "AzureGovernment", "China" or "AzureGermany"
	// ("" in serviceTagDetails responses).
	Cloud string

	// ChangeNumber is the publication counter of the cloud. It does not
	// identify the content (the same number has been published with
	// different contents, and the same content with different numbers);
	// use Hash for that.
	ChangeNumber int

	// Tags holds the entries in input order.
	Tags []Tag

	// Name, ID and Type are set by the serviceTags API only (for example
	// "Public", "/subscriptions/…/serviceTags/Public",
	// "Microsoft.Network/serviceTags").
	Name, ID, Type string

	// NextLink is the API's link to the next page, "" on the last page
	// and in downloads. Fetching it needs Azure credentials; merge the
	// pages' Tags yourself.
	NextLink string

	once  sync.Once
	index map[string]int // lower-case name → index in Tags

	// Feed is the format the document was decoded from: Azure for
	// [Decode], the feed given to [DecodeFeed]. It is the zero Feed
	// (Azure) in a Document returned by [Merge]; see Parts.
	Feed Feed

	// SyncToken is the publication token of the AWS and Google feeds
	// ("1753388594"); "" for the others.
	SyncToken string

	// Created is the time the feed says it was generated: AWS's
	// createDate, Google's creationTime, Oracle's
	// last_updated_timestamp, in UTC when the feed gives no offset. It is
	// zero for feeds that do not say (Azure, GitHub, Cloudflare).
	Created time.Time

	// ETag is the "etag" of Cloudflare's API answer; "" otherwise.
	ETag string

	// Parts describes, in a Document returned by Merge, the documents it
	// holds the tags of, in order; nil otherwise.
	Parts []Part
}

// Tag is one entry of a document: a service tag, global ("Storage") or
// regional ("Storage.WestEurope"), or a named list of another provider's
// feed ("AWS.EC2.us-east-1", "GitHub.hooks"; see [Feed]).
type Tag struct {
	// Name is the tag name as published, for example "AzureCloud.westeurope".
	Name string
	// ID is the entry's id; it equals Name in every known source.
	ID string
	// Region is the region the entry belongs to, "" for global entries.
	// Its spelling differs from the name's suffix for some regions
	// ("Storage.FranceCentral" has Region "centralfrance").
	Region string
	// RegionID is the numeric region id of downloads (0 when Region is "").
	RegionID int
	// Platform is "Azure" in downloads, "" in API output.
	Platform string
	// SystemService names the owning service; it may be "".
	SystemService string
	// State is the API's "state" (for example "GA"), "" in downloads.
	State string
	// ChangeNumber rises whenever the tag's address prefixes change.
	ChangeNumber int
	// Prefixes are the tag's address ranges, canonical (masked), IPv4
	// and IPv6 mixed, in input order.
	Prefixes []netip.Prefix
	// NetworkFeatures lists where the tag may be used ("API", "NSG",
	// "UDR", "FW", "VSE"), in no particular order; nil when the input has
	// null or omits it.
	NetworkFeatures []string
}

// Base returns the part of the name before the first dot ("Storage" for
// "Storage.WestEurope"), or the whole name if it has no dot.
func (t Tag) Base() string {
	base, _, _ := strings.Cut(t.Name, ".")
	return base
}

// IsRegional reports whether the tag is a regional variant: its name has
// a dot and its Region is set. A dot alone does not make a tag regional
// ("AzureFrontDoor.Backend" has no region).
func (t Tag) IsRegional() bool {
	return t.Region != "" && strings.Contains(t.Name, ".")
}

// IPSet returns the set of addresses the tag covers.
func (t Tag) IPSet() (*netipx.IPSet, error) {
	var b netipx.IPSetBuilder
	for _, p := range t.Prefixes {
		b.AddPrefix(p)
	}
	return b.IPSet()
}

func (d *Document) setIndex(index map[string]int) {
	d.once.Do(func() { d.index = index })
}

func (d *Document) lookupIndex() map[string]int {
	if d == nil {
		return nil
	}
	d.once.Do(func() {
		index := make(map[string]int, len(d.Tags))
		for i, t := range d.Tags {
			key := strings.ToLower(t.Name)
			if _, dup := index[key]; !dup {
				index[key] = i
			}
		}
		d.index = index
	})
	return d.index
}

// Lookup returns the tag with the given name, ignoring case. For a name
// that is not in the document it returns an [*UnknownTagError] (which
// matches [ErrUnknownTag]) with up to three suggestions.
func (d *Document) Lookup(name string) (Tag, error) {
	index := d.lookupIndex()
	if i, ok := index[name]; ok { // exact spelling, no allocation for all-lower names
		return d.Tags[i], nil
	}
	if i, ok := index[strings.ToLower(name)]; ok {
		return d.Tags[i], nil
	}
	return Tag{}, &UnknownTagError{Name: name, Suggestions: d.Suggest(name, 3)} // a nil d has no tags: no suggestion
}

// LookupTag returns the prefixes of the tag with the given name, ignoring
// case, and its name as published. It is Lookup in the terms of
// allowlist.TagSource, so a Document can expand the service tags of a range
// list. The prefixes are the Document's own: do not modify them. For an
// unknown name the error is an [*UnknownTagError] with suggestions.
func (d *Document) LookupTag(name string) (string, []netip.Prefix, error) {
	t, err := d.Lookup(name)
	if err != nil {
		return "", nil, err
	}
	return t.Name, t.Prefixes, nil
}

// Expand returns the union of the addresses of the named tags (case is
// ignored). An unknown name gives an [*UnknownTagError]; no names give an
// empty set.
func (d *Document) Expand(names ...string) (*netipx.IPSet, error) {
	var b netipx.IPSetBuilder
	for _, name := range names {
		t, err := d.Lookup(name)
		if err != nil {
			return nil, err
		}
		for _, p := range t.Prefixes {
			b.AddPrefix(p)
		}
	}
	return b.IPSet()
}

// Hash is a document's content identity.
type Hash [32]byte

// String returns the hash in lower-case hexadecimal.
func (h Hash) String() string { return hex.EncodeToString(h[:]) }

// Hash returns the SHA-256 of a canonical form of the document's content:
// the Feed, the Cloud and, for every tag in case-insensitive name order,
// all of its fields with its prefixes and network features sorted. It
// ignores the top-level ChangeNumber, Name, ID, Type and NextLink, the
// version fields SyncToken, Created and ETag, the Parts of a merged
// document, the order of entries, JSON formatting and compression. (The
// tag names of a merged document say which feed each tag came from.)
//
// So two files with the same top-level changeNumber but different tags
// get different hashes, and a republication that only bumps the
// top-level changeNumber gets the same hash: dedupe and cache on Hash,
// not on ChangeNumber. Hash costs a sort and a pass over the document
// (a few milliseconds for the Public cloud); keep the result rather than
// calling it repeatedly.
func (d *Document) Hash() Hash {
	if d == nil {
		d = new(Document) // a nil Document has the content of one without tags
	}
	h := sha256.New()
	w := hashWriter{h: h}
	if d.Feed == Azure {
		w.str("ipallow/servicetag document v1")
	} else {
		w.str("ipallow/servicetag document v1 " + d.Feed.String())
	}
	w.str(d.Cloud)
	order := make([]int, len(d.Tags))
	lower := make([]string, len(d.Tags))
	for i := range order {
		order[i] = i
		lower[i] = strings.ToLower(d.Tags[i].Name)
	}
	slices.SortFunc(order, func(a, b int) int {
		return cmp.Or(cmp.Compare(lower[a], lower[b]), cmp.Compare(d.Tags[a].Name, d.Tags[b].Name))
	})
	w.int(len(order))
	var ps []netip.Prefix
	var fs []string
	for _, i := range order {
		t := &d.Tags[i]
		w.str(t.Name)
		w.str(t.ID)
		w.str(t.Region)
		w.int(t.RegionID)
		w.str(t.Platform)
		w.str(t.SystemService)
		w.str(t.State)
		w.int(t.ChangeNumber)
		ps = append(ps[:0], t.Prefixes...)
		slices.SortFunc(ps, comparePrefix)
		w.int(len(ps))
		for _, p := range ps {
			a := p.Addr().As16()
			w.buf = append(w.buf, a[:]...)
			w.buf = append(w.buf, byte(p.Bits()), boolByte(p.Addr().Is4()))
		}
		fs = append(fs[:0], t.NetworkFeatures...)
		slices.Sort(fs)
		w.int(len(fs))
		for _, f := range fs {
			w.str(f)
		}
		w.flush()
	}
	w.flush()
	var out Hash
	h.Sum(out[:0])
	return out
}

func boolByte(b bool) byte {
	if b {
		return 1
	}
	return 0
}

// comparePrefix orders IPv4 before IPv6, then by address, then by length.
func comparePrefix(a, b netip.Prefix) int {
	return cmp.Or(a.Addr().Compare(b.Addr()), cmp.Compare(a.Bits(), b.Bits()))
}

// hashWriter writes length-prefixed fields, so that no two different
// documents have the same byte stream.
type hashWriter struct {
	h   hash.Hash
	buf []byte
}

func (w *hashWriter) int(n int) { w.buf = binary.AppendVarint(w.buf, int64(n)) }

func (w *hashWriter) str(s string) {
	w.buf = binary.AppendUvarint(w.buf, uint64(len(s)))
	w.buf = append(w.buf, s...)
}

func (w *hashWriter) flush() {
	w.h.Write(w.buf)
	w.buf = w.buf[:0]
}
