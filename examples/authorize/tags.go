package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/ipallow/ipallow/allowlist"
	"github.com/ipallow/ipallow/servicetag"
)

// tagSource describes one -service-tags file.
type tagSource struct {
	File         string `json:"file"`
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
		name, file := splitFeed(v)
		var feed servicetag.Feed
		var err error
		if name != "" {
			if feed, err = servicetag.ParseFeed(name); err != nil {
				return nil, nil, fmt.Errorf("-service-tags %s: %s", v, trimPkg(err))
			}
		}
		data, err := readTagFile(file)
		if err != nil {
			return nil, nil, fmt.Errorf("-service-tags: %v", err)
		}
		if name == "" {
			if feed, err = servicetag.DetectFeed(data); err != nil {
				return nil, nil, fmt.Errorf("-service-tags %s: %s", v, trimPkg(err))
			}
		}
		doc, err := servicetag.DecodeFeedBytes(data, feed)
		if err != nil {
			return nil, nil, fmt.Errorf("-service-tags %s (%s feed): %s", file, feed, trimPkg(err))
		}
		src := tagSource{File: file, Feed: feed.String(), Cloud: doc.Cloud, ChangeNumber: doc.ChangeNumber,
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

// readTagFile reads a range file, up to the size servicetag accepts.
func readTagFile(name string) ([]byte, error) {
	f, err := os.Open(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, servicetag.DefaultMaxSize+1))
	if err != nil {
		return nil, fmt.Errorf("reading %s: %v", name, err)
	}
	if len(data) > servicetag.DefaultMaxSize {
		return nil, fmt.Errorf("%s is larger than %d MiB", name, servicetag.DefaultMaxSize>>20)
	}
	return data, nil
}

// splitFeed splits FEED:FILE. A value whose part before the first colon is
// not a word of two or more letters (a Windows drive letter, a path) is a
// file name.
func splitFeed(v string) (feed, file string) {
	name, rest, ok := strings.Cut(v, ":")
	if !ok || len(name) < 2 {
		return "", v
	}
	for _, c := range name {
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z') {
			return "", v
		}
	}
	return name, rest
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
