package servicetag

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
)

// ErrFileSpec reports a file name given to LoadFiles that cannot be used:
// an unknown feed name before the colon, or more Cloudflare text lists
// than one per family.
var ErrFileSpec = errors.New("servicetag: bad file name")

// LoadFiles loads several published range files into one Document, as a
// command-line flag that names tag sources needs. See
// DecodeOptions.LoadFiles.
func LoadFiles(names ...string) (*Document, error) {
	return DecodeOptions{}.LoadFiles(names...)
}

// LoadFiles loads the named files into one Document. Each name is a path,
// or FEED:PATH with a feed name as Feed.String prints it
// ("aws:ip-ranges.json", "github:meta.json"); without a feed name the feed
// is detected from the content (DetectFeed). A name whose part before the
// first colon is not a feed name of two or more letters (a path with a
// Windows drive letter) is a path.
//
// Cloudflare's two text lists (ips-v4 and ips-v6), in either order, are
// read as the one Cloudflare tag (DecodeCloudflareText). One file gives its
// own Document; several are merged with Merge, so a tag name that two files
// hold is an error naming both. Each file is read up to MaxSize bytes.
func (o DecodeOptions) LoadFiles(names ...string) (*Document, error) {
	if len(names) == 0 {
		return nil, fmt.Errorf("%w: no file given", ErrFileSpec)
	}
	var docs []*Document
	var v4, v6 []byte
	var v4Name, v6Name string
	for _, spec := range names {
		feed, name, named, err := splitFileSpec(spec)
		if err != nil {
			return nil, err
		}
		data, err := o.readFile(name)
		if err != nil {
			return nil, err
		}
		if !named {
			if feed, err = DetectFeed(data); err != nil {
				return nil, fmt.Errorf("servicetag: %s: %w; name the feed, as in aws:%s", name, err, name)
			}
		}
		if feed == Cloudflare && !looksLikeJSON(data) {
			// A text list: pair it with the other family's.
			doc, err := o.DecodeFeedBytes(data, Cloudflare)
			if err != nil {
				return nil, fmt.Errorf("servicetag: %s: %w", name, err)
			}
			tag, _ := doc.Lookup("Cloudflare")
			is6 := len(tag.Prefixes) > 0 && tag.Prefixes[0].Addr().Is6()
			slot, slotName := &v4, &v4Name
			if is6 {
				slot, slotName = &v6, &v6Name
			}
			if *slot != nil {
				return nil, fmt.Errorf("%w: %s and %s are both Cloudflare lists of one family; give ips-v4 and ips-v6 once each", ErrFileSpec, *slotName, name)
			}
			*slot, *slotName = data, name
			continue
		}
		doc, err := o.DecodeFeedBytes(data, feed)
		if err != nil {
			return nil, fmt.Errorf("servicetag: %s: %w", name, err)
		}
		docs = append(docs, doc)
	}
	if v4 != nil || v6 != nil {
		doc, err := o.DecodeCloudflareText(bytes.NewReader(v4), bytes.NewReader(v6))
		if err != nil {
			return nil, fmt.Errorf("servicetag: %s %s: %w", v4Name, v6Name, err)
		}
		docs = append(docs, doc)
	}
	if len(docs) == 1 {
		return docs[0], nil
	}
	return Merge(docs...)
}

// splitFileSpec splits FEED:PATH; named says whether a feed was given.
func splitFileSpec(spec string) (f Feed, name string, named bool, err error) {
	feed, rest, ok := strings.Cut(spec, ":")
	if !ok || len(feed) < 2 || strings.ContainsFunc(feed, func(r rune) bool { return !('a' <= r && r <= 'z' || 'A' <= r && r <= 'Z') }) {
		return 0, spec, false, nil
	}
	f, err = ParseFeed(feed)
	if err != nil {
		return 0, "", false, fmt.Errorf("%w: %q: %v", ErrFileSpec, spec, err)
	}
	return f, rest, true, nil
}

// readFile reads a file of at most MaxSize bytes.
func (o DecodeOptions) readFile(name string) ([]byte, error) {
	f, err := os.Open(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	max := o.MaxSize
	if max <= 0 {
		max = DefaultMaxSize
	}
	data, err := io.ReadAll(io.LimitReader(f, max+1))
	if err != nil {
		return nil, fmt.Errorf("servicetag: reading %s: %w", name, err)
	}
	if int64(len(data)) > max {
		return nil, &TooLargeError{Limit: max, What: name}
	}
	return data, nil
}

// looksLikeJSON reports whether data is gzip-compressed or begins, after
// white space, with a JSON object: not one of Cloudflare's text lists.
func looksLikeJSON(data []byte) bool {
	if len(data) >= 2 && data[0] == 0x1f && data[1] == 0x8b {
		return true
	}
	rest := bytes.TrimLeft(data, " \t\r\n")
	return len(rest) > 0 && rest[0] == '{'
}
