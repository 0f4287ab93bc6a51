package servicetag

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
)

// DefaultMaxPages is how many pages a Loader with no MaxPages follows
// through the Discovery API's nextLink before it gives up.
const DefaultMaxPages = 50

// maxRedirects is how many redirects one request follows, as net/http's
// default policy does.
const maxRedirects = 10

// Errors of a Loader's fetch. They reach the caller inside a *RefreshError.
var (
	// ErrRedirect reports a redirect that the Loader refused to follow:
	// to another host, or from https to http.
	ErrRedirect = errors.New("servicetag: redirect refused")

	// ErrPaging reports a Discovery API answer whose nextLink pages could
	// not be followed: a loop, too many pages, or a link to another host.
	ErrPaging = errors.New("servicetag: nextLink paging failed")
)

// fetched is what one fetch brought: a document (nil for 304 Not
// Modified), the HTTP status of the first page and its validators.
type fetched struct {
	doc           *Document
	status        int
	etag, lastMod string
}

// fetch gets the URL and, for a paged Discovery API answer, every page
// after it, and decodes them into one Document.
func (l *Loader) fetch(ctx context.Context) (fetched, error) {
	timeout := l.Timeout
	if timeout <= 0 {
		timeout = DefaultTimeout
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()

	l.mu.Lock()
	hasDoc := l.doc != nil
	etag, lastMod := l.etag, l.lastModified
	l.mu.Unlock()

	var f fetched
	first, err := url.Parse(l.URL)
	if err != nil {
		return f, err
	}
	header := http.Header{}
	if hasDoc {
		if etag != "" {
			header.Set("If-None-Match", etag)
		}
		if lastMod != "" {
			header.Set("If-Modified-Since", lastMod)
		}
	}
	resp, err := l.get(ctx, first, header)
	if err != nil {
		return f, err
	}
	f.status = resp.StatusCode
	switch resp.StatusCode {
	case http.StatusOK:
	case http.StatusNotModified:
		resp.Body.Close()
		if !hasDoc {
			return f, ErrNotModifiedWithoutDocument
		}
		return f, nil
	default:
		io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
		resp.Body.Close()
		return f, fmt.Errorf("unexpected status %q", resp.Status)
	}
	f.etag, f.lastMod = resp.Header.Get("ETag"), resp.Header.Get("Last-Modified")
	budget := l.maxSize() // for all pages together
	doc, n, err := l.decodeBody(resp, budget)
	if err != nil {
		return f, err
	}
	budget -= n

	// Follow nextLink pages of the Discovery API with the same client
	// (which carries the caller's credentials), on the same host only.
	maxPages := l.MaxPages
	if maxPages <= 0 {
		maxPages = DefaultMaxPages
	}
	seen := map[string]bool{first.String(): true}
	var more []*Document // the pages after the first
	for pages, link := 1, doc.NextLink; link != ""; pages++ {
		next, err := first.Parse(link)
		if err != nil {
			return f, fmt.Errorf("%w: page %d has an invalid nextLink: %v", ErrPaging, pages, err)
		}
		switch {
		case pages >= maxPages:
			return f, fmt.Errorf("%w: more than %d pages; raise Loader.MaxPages if the source is that large", ErrPaging, maxPages)
		case seen[next.String()]:
			return f, fmt.Errorf("%w: page %d links back to %s, a page already fetched", ErrPaging, pages, redact(next))
		case next.Host != first.Host || next.Scheme != first.Scheme:
			return f, fmt.Errorf("%w: page %d links to %s, not on %s://%s", ErrPaging, pages, redact(next), first.Scheme, first.Host)
		}
		seen[next.String()] = true
		resp, err := l.get(ctx, next, nil)
		if err != nil {
			return f, fmt.Errorf("%w: page %d: %v", ErrPaging, pages+1, err)
		}
		if resp.StatusCode != http.StatusOK {
			io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
			resp.Body.Close()
			return f, fmt.Errorf("%w: page %d: unexpected status %q", ErrPaging, pages+1, resp.Status)
		}
		page, n, err := l.decodeBody(resp, budget)
		if err != nil {
			return f, fmt.Errorf("%w: page %d: %w; Loader.MaxSize bounds all pages together", ErrPaging, pages+1, err)
		}
		budget -= n
		more = append(more, page)
		link = page.NextLink
	}
	if len(more) > 0 {
		if doc, err = joinPages(doc, more); err != nil {
			return f, fmt.Errorf("%w: %w", ErrPaging, err)
		}
	}
	f.doc = doc
	return f, nil
}

// get sends one GET with the Loader's client and redirect rules.
func (l *Loader) get(ctx context.Context, u *url.URL, header http.Header) (*http.Response, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return nil, err
	}
	for k, v := range header {
		req.Header[k] = v
	}
	client := l.Client
	if client == nil {
		client = http.DefaultClient
	}
	c := *client // a shallow copy, to set the redirect policy without changing the caller's client
	prev := client.CheckRedirect
	c.CheckRedirect = func(r *http.Request, via []*http.Request) error {
		if len(via) >= maxRedirects {
			return fmt.Errorf("%w: more than %d redirects", ErrRedirect, maxRedirects)
		}
		from := via[len(via)-1].URL
		if !l.RedirectToHTTP && from.Scheme == "https" && r.URL.Scheme != "https" {
			return fmt.Errorf("%w: %s redirects from https to %s; set Loader.RedirectToHTTP to allow it", ErrRedirect, redact(from), redact(r.URL))
		}
		if !l.RedirectToOtherHosts && r.URL.Host != via[0].URL.Host {
			return fmt.Errorf("%w: %s redirects to another host, %s; point the Loader at the final URL, or set Loader.RedirectToOtherHosts", ErrRedirect, redact(from), redact(r.URL))
		}
		if prev != nil {
			return prev(r, via)
		}
		return nil
	}
	return c.Do(req)
}

// decodeBody decodes a response body of at most limit bytes (also after
// decompression) and closes it. It returns how many bytes it read.
func (l *Loader) decodeBody(resp *http.Response, limit int64) (*Document, int64, error) {
	defer resp.Body.Close()
	if resp.ContentLength > limit {
		return nil, 0, &TooLargeError{Limit: limit, What: "response body (Content-Length)"}
	}
	cr := &countingReader{r: resp.Body}
	doc, err := DecodeOptions{MaxSize: limit}.DecodeFeed(cr, l.Feed)
	return doc, cr.n, err
}

// countingReader counts the bytes read through it.
type countingReader struct {
	r io.Reader
	n int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}

// maxSize is MaxSize or its default.
func (l *Loader) maxSize() int64 {
	if l.MaxSize <= 0 {
		return DefaultMaxSize
	}
	return l.MaxSize
}

// joinPages returns the document of first with the tags of the later
// pages added; a tag in two pages is an error.
func joinPages(first *Document, pages []*Document) (*Document, error) {
	n := len(first.Tags)
	for _, p := range pages {
		n += len(p.Tags)
	}
	tags := make([]Tag, 0, n)
	seen := make(map[string]string, n)
	for _, d := range append([]*Document{first}, pages...) {
		for _, t := range d.Tags {
			key := strings.ToLower(t.Name)
			if prev, ok := seen[key]; ok {
				return nil, &DuplicateTagError{Name: t.Name, Previous: prev}
			}
			seen[key] = t.Name
			tags = append(tags, t)
		}
	}
	return &Document{
		Cloud: first.Cloud, ChangeNumber: first.ChangeNumber, Tags: tags,
		Name: first.Name, ID: first.ID, Type: first.Type,
		Feed: first.Feed, SyncToken: first.SyncToken, Created: first.Created, ETag: first.ETag,
	}, nil
}

// redact returns u without its query (which may carry a SAS token or an
// api-version) and user info, for messages.
func redact(u *url.URL) string {
	r := *u
	r.User = nil
	r.RawQuery = ""
	r.Fragment = ""
	return r.String()
}
