package servicetag

import (
	"strings"
	"time"
)

// Part describes one of the documents that [Merge] combined: what it says
// about its origin and version, and how many tags it gave.
type Part struct {
	Feed         Feed
	Cloud        string // Azure's cloud, "" for other feeds
	ChangeNumber int    // Azure's top-level changeNumber
	SyncToken    string
	Created      time.Time
	ETag         string
	// Tags is the number of tags the document gave; they follow those of
	// the earlier parts in the merged Document's Tags.
	Tags int
}

// String describes the part by feed and, for Azure, cloud: "azure
// Public", "aws".
func (p Part) String() string {
	if p.Cloud != "" {
		return p.Feed.String() + " " + p.Cloud
	}
	return p.Feed.String()
}

// Merge returns one Document holding the tags of every document, in the
// order of docs and, within each, in its order. The result is indexed for
// Lookup, and its Parts describe the documents (a merged document among
// docs contributes its own Parts); its other top-level fields are zero.
// The tags share their Prefixes and NetworkFeatures with docs: change
// neither afterwards.
//
// Tag names must stay unique ignoring case: a name in two documents (or
// twice in one hand-built document) is a [*MergeError] naming both tags
// and documents, and so is a Document passed twice, as in Merge(d, d). A
// nil Document counts as one without tags, as in [Diff]. Merge of no
// documents is an empty Document.
//
// Merging the pages of the Azure serviceTagDetails API gives one
// document; merging Azure's clouds fails, as they share tag names
// (AzureCloud, Storage, ...): keep a Document per cloud.
func Merge(docs ...*Document) (*Document, error) {
	n := 0
	for _, d := range docs {
		if d != nil {
			n += len(d.Tags)
		}
	}
	out := &Document{Tags: make([]Tag, 0, n)}
	index := make(map[string]int, n)
	owner := make([]int, 0, n) // tag → position in docs
	for i, d := range docs {
		if d == nil {
			continue
		}
		for j := range i {
			if docs[j] == d {
				return nil, &MergeError{Doc: i, PreviousDoc: j, Source: describe(d), PreviousSource: describe(d)}
			}
		}
		for _, t := range d.Tags {
			key := strings.ToLower(t.Name)
			if k, dup := index[key]; dup {
				prev := docs[owner[k]]
				return nil, &MergeError{Name: t.Name, Previous: out.Tags[k].Name, Doc: i, PreviousDoc: owner[k],
					Source: describe(d), PreviousSource: describe(prev)}
			}
			index[key] = len(out.Tags)
			out.Tags = append(out.Tags, t)
			owner = append(owner, i)
		}
		if d.Parts != nil {
			out.Parts = append(out.Parts, d.Parts...)
		} else {
			out.Parts = append(out.Parts, Part{Feed: d.Feed, Cloud: d.Cloud, ChangeNumber: d.ChangeNumber,
				SyncToken: d.SyncToken, Created: d.Created, ETag: d.ETag, Tags: len(d.Tags)})
		}
	}
	if out.Parts == nil {
		out.Parts = []Part{}
	}
	out.setIndex(index)
	return out, nil
}

// describe names a document in errors by its feed and cloud, or its
// parts.
func describe(d *Document) string {
	if len(d.Parts) > 0 {
		var names []string
		for i, p := range d.Parts {
			if i == 4 {
				names = append(names, "...")
				break
			}
			names = append(names, p.String())
		}
		return "merged from " + strings.Join(names, ", ")
	}
	return Part{Feed: d.Feed, Cloud: d.Cloud}.String()
}
