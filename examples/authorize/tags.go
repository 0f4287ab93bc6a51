package main

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/ipallow/ipallow/allowlist"
	"github.com/ipallow/ipallow/servicetag"
)

// tagSource describes one -service-tags file.
type tagSource struct {
	File         string `json:"file"`                   // as given: FILE or FEED:FILE
	Feed         string `json:"feed"`                   // "azure", "aws", "googlecloud", "google", "github", "cloudflare" or "oracle"
	Cloud        string `json:"cloud,omitempty"`        // Azure's cloud
	ChangeNumber int    `json:"changeNumber,omitempty"` // Azure's top-level changeNumber
	SyncToken    string `json:"syncToken,omitempty"`    // AWS and Google
	Created      string `json:"created,omitempty"`      // when the feed says it was made (RFC 3339)
	Tags         int    `json:"tags"`
	Content      string `json:"content"` // the first 12 hex digits of the content hash

	doc *servicetag.Document
}

// loadTags loads the -service-tags values, each FILE or FEED:FILE (the
// feed is detected from the content when not named), and returns the
// source that expands the lists' tags: the one document, or all of them
// merged.
func loadTags(values []string) (allowlist.TagSource, []tagSource, error) {
	var sources []tagSource
	var docs []*servicetag.Document
	for _, v := range values {
		doc, err := servicetag.LoadFiles(v)
		if err != nil {
			return nil, nil, fmt.Errorf("-service-tags %s: %s", v, trimPkg(err))
		}
		src := tagSource{File: v, Feed: doc.Feed.String(), Cloud: doc.Cloud, ChangeNumber: doc.ChangeNumber,
			SyncToken: doc.SyncToken, Tags: len(doc.Tags), Content: doc.Hash().String()[:12], doc: doc}
		if !doc.Created.IsZero() {
			src.Created = doc.Created.UTC().Format(time.RFC3339)
		}
		sources = append(sources, src)
		docs = append(docs, doc)
	}
	if len(docs) == 1 {
		return docs[0], sources, nil
	}
	merged, err := servicetag.Merge(docs...)
	var me *servicetag.MergeError
	if errors.As(err, &me) && me.Name != "" && me.Doc < len(sources) && me.PreviousDoc < len(sources) {
		return nil, nil, fmt.Errorf("-service-tags: %s (%s) and %s (%s) both hold the tag %q; give each tag in one file only "+
			"(the Azure clouds, and two weeks of one cloud, share their tag names)",
			sources[me.PreviousDoc].File, me.PreviousSource, sources[me.Doc].File, me.Source, me.Previous)
	}
	if err != nil {
		return nil, nil, fmt.Errorf("-service-tags: %s", trimPkg(err))
	}
	return merged, sources, nil
}

// feedOf returns the source that holds the tag (the first, as Merge keeps
// names unique), or nil.
func feedOf(sources []tagSource, tag string) *tagSource {
	for i := range sources {
		if _, err := sources[i].doc.Lookup(tag); err == nil {
			return &sources[i]
		}
	}
	return nil
}

// trimPkg drops the package prefixes from a library error.
func trimPkg(err error) string {
	s := err.Error()
	for _, p := range []string{"servicetag: ", "allowlist: "} {
		s = strings.ReplaceAll(s, p, "")
	}
	return cliText(s)
}
