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
	doc, err := l.decodeBody(resp)
	if err != nil {
		return f, err
	}

	// Follow nextLink pages of the Discovery API with the same client
	// (which carries the caller's credentials), on the same host only.
	maxPages := l.MaxPages
	if maxPages <= 0 {
		maxPages = DefaultMaxPages
	}
	seen := map[string]bool{first.String(): true}
	for pages := 1; doc.NextLink != ""; pages++ {
		next, err := first.Parse(doc.NextLink)
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
		page, err := l.decodeBody(resp)
		if err != nil {
			return f, fmt.Errorf("%w: page %d: %w", ErrPaging, pages+1, err)
		}
		if doc, err = appendPage(doc, page); err != nil {
			return f, fmt.Errorf("%w: page %d: %w", ErrPaging, pages+1, err)
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

// decodeBody decodes a response body within the size limit and closes it.
func (l *Loader) decodeBody(resp *http.Response) (*Document, error) {
	defer resp.Body.Close()
	max := l.MaxSize
	if max <= 0 {
		max = DefaultMaxSize
	}
	if resp.ContentLength > max {
		return nil, &TooLargeError{Limit: max, What: "response body (Content-Length)"}
	}
	return DecodeOptions{MaxSize: max}.DecodeFeed(resp.Body, l.Feed)
}

// appendPage returns doc with the tags of a later page added; a tag in two
// pages is an error.
func appendPage(doc, page *Document) (*Document, error) {
	seen := make(map[string]string, len(doc.Tags))
	for _, t := range doc.Tags {
		seen[strings.ToLower(t.Name)] = t.Name
	}
	for _, t := range page.Tags {
		if prev, ok := seen[strings.ToLower(t.Name)]; ok {
			return nil, &DuplicateTagError{Name: t.Name, Previous: prev}
		}
	}
	tags := make([]Tag, 0, len(doc.Tags)+len(page.Tags))
	tags = append(append(tags, doc.Tags...), page.Tags...)
	return &Document{
		Cloud: doc.Cloud, ChangeNumber: doc.ChangeNumber, Tags: tags,
		Name: doc.Name, ID: doc.ID, Type: doc.Type, NextLink: page.NextLink,
		Feed: doc.Feed, SyncToken: doc.SyncToken, Created: doc.Created, ETag: doc.ETag,
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
