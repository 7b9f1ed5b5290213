package ingest

import (
	"bytes"
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/mmcdole/gofeed"

	"github.com/byline-bot/byline/knowledge"
)

// ParseFeed parses an RSS 2.0 or Atom feed (JSON Feed works too) into one
// article per item. ref names the feed, a path or URL; it is used only for
// items with neither link nor guid, whose Ref becomes "ref#N" (N counts
// items from 1).
//
// An item's text is its full content (content:encoded, Atom content) when
// present, else its description; HTML is converted to paragraphs as for
// web pages. Source is the feed's title, URL the item's link, Ref the link
// or else the guid, Published the item's published or else updated time.
//
// An item with no text (a title and a link only) is returned with no
// paragraphs, so that the caller can report it; Run does.
func ParseFeed(data []byte, ref string) (arts []knowledge.Article, err error) {
	if i := bytes.IndexByte(data, 0); i >= 0 {
		return nil, fmt.Errorf("%w (NUL byte at offset %d)", ErrBinary, i)
	}
	feed, err := parseFeed(data)
	if err != nil {
		return nil, err
	}
	if len(feed.Items) == 0 {
		return nil, fmt.Errorf("%w: the feed has no items", ErrNoText)
	}
	base, _ := url.Parse(strings.TrimSpace(feed.Link))
	source := htmlToText(feed.Title)
	language := normalizeParagraph(feed.Language)
	feedAuthor := authorNames(feed.Authors)
	for i, it := range feed.Items {
		if it == nil {
			continue
		}
		content := it.Content
		if strings.TrimSpace(content) == "" {
			content = it.Description
		}
		a := knowledge.Article{
			Source:     source,
			Title:      normalizeTitle(htmlToText(it.Title)),
			URL:        resolveLink(base, it.Link),
			Author:     authorNames(it.Authors),
			Language:   language,
			Paragraphs: htmlFragmentParagraphs(content),
		}
		if a.Author == "" {
			a.Author = feedAuthor
		}
		switch guid := normalizeParagraph(it.GUID); {
		case a.URL != "":
			a.Ref = a.URL
		case guid != "":
			a.Ref = guid
		default:
			a.Ref = ref + "#" + strconv.Itoa(i+1)
		}
		switch {
		case it.PublishedParsed != nil:
			a.Published = *it.PublishedParsed
		case it.UpdatedParsed != nil:
			a.Published = *it.UpdatedParsed
		}
		if a.Title == "" {
			a.Title = deriveTitle(a.Paragraphs)
		}
		arts = append(arts, a)
	}
	return arts, nil
}

// parseFeed runs gofeed on data, turning a panic in it into an error for
// this feed: it parses untrusted XML with many optional extensions.
func parseFeed(data []byte) (feed *gofeed.Feed, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("parsing feed: parser failed: %v", r)
		}
	}()
	feed, err = gofeed.NewParser().Parse(bytes.NewReader(data))
	if errors.Is(err, gofeed.ErrFeedTypeNotDetected) {
		return nil, ErrNotFeed
	}
	if err != nil {
		return nil, fmt.Errorf("parsing feed: %w", err)
	}
	return feed, nil
}

// resolveLink returns link as an absolute http(s) URL resolved against
// the feed's own link, or "" when it is not one.
func resolveLink(base *url.URL, link string) string {
	link = strings.TrimSpace(link)
	if link == "" {
		return ""
	}
	u, err := url.Parse(link)
	if err != nil {
		return ""
	}
	if !u.IsAbs() && base != nil && base.IsAbs() {
		u = base.ResolveReference(u)
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return ""
	}
	return u.String()
}

func authorNames(people []*gofeed.Person) string {
	var names []string
	for _, p := range people {
		if p == nil {
			continue
		}
		name := normalizeParagraph(p.Name)
		if name == "" {
			name = normalizeParagraph(p.Email)
		}
		if name != "" {
			names = append(names, name)
		}
	}
	return strings.Join(names, ", ")
}

// fetched is a response body read by fetch.
type fetched struct {
	body      []byte
	mediaType string
	// etag and lastModified are the response's validators, for a
	// conditional request next time; notModified reports a 304 to one.
	etag, lastModified string
	notModified        bool
}

// fetch gets rawURL and reads at most limit bytes of its body.
func fetch(ctx context.Context, client *http.Client, rawURL string, limit int64) (fetched, error) {
	return fetchIfChanged(ctx, client, rawURL, limit, "", "")
}

// fetchIfChanged is fetch with the validators of an earlier response: a
// server that answers 304 Not Modified sends no body, and the result says
// notModified.
func fetchIfChanged(ctx context.Context, client *http.Client, rawURL string, limit int64, etag, lastModified string) (fetched, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, rawURL, nil)
	if err != nil {
		return fetched{}, fmt.Errorf("bad URL: %w", err)
	}
	req.Header.Set("User-Agent", "byline-ingest (+https://github.com/byline-bot/byline)")
	req.Header.Set("Accept", "application/rss+xml, application/atom+xml, application/xml;q=0.9, text/xml;q=0.9, text/html;q=0.8, */*;q=0.5")
	if etag != "" {
		req.Header.Set("If-None-Match", etag)
	}
	if lastModified != "" {
		req.Header.Set("If-Modified-Since", lastModified)
	}
	resp, err := client.Do(req)
	if err != nil {
		return fetched{}, fetchError(client, err)
	}
	defer resp.Body.Close()
	f := fetched{etag: resp.Header.Get("ETag"), lastModified: resp.Header.Get("Last-Modified")}
	if resp.StatusCode == http.StatusNotModified && (etag != "" || lastModified != "") {
		f.notModified = true
		f.etag, f.lastModified = cmp.Or(f.etag, etag), cmp.Or(f.lastModified, lastModified)
		return f, nil
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return fetched{}, &HTTPStatusError{StatusCode: resp.StatusCode, Status: resp.Status, RetryAfter: resp.Header.Get("Retry-After")}
	}
	if resp.ContentLength > limit {
		return fetched{}, &TooLargeError{What: "response", Size: resp.ContentLength, Limit: limit}
	}
	f.body, err = io.ReadAll(io.LimitReader(resp.Body, limit+1))
	if err != nil {
		return fetched{}, fetchError(client, err)
	}
	if int64(len(f.body)) > limit {
		return fetched{}, &TooLargeError{What: "response", Size: -1, Limit: limit}
	}
	f.mediaType, _, _ = mime.ParseMediaType(resp.Header.Get("Content-Type"))
	return f, nil
}

// timeoutError reports a request that took longer than the client allows.
type timeoutError struct {
	after time.Duration
	err   error
}

func (e *timeoutError) Error() string {
	if e.after > 0 {
		return "timed out after " + e.after.String()
	}
	return "timed out"
}

func (e *timeoutError) Unwrap() error { return e.err }

// fetchError shortens a transport error: the URL is already the failure's
// Ref, so *url.Error's "Get "…":" prefix is dropped.
func fetchError(client *http.Client, err error) error {
	var timeout interface{ Timeout() bool }
	if errors.As(err, &timeout) && timeout.Timeout() || errors.Is(err, context.DeadlineExceeded) {
		return &timeoutError{after: client.Timeout, err: err}
	}
	var ue *url.Error
	if errors.As(err, &ue) {
		return fmt.Errorf("fetching: %w", ue.Err)
	}
	return fmt.Errorf("fetching: %w", err)
}

// parseFetched turns a fetched URL into articles: a feed, or a single
// article when the server says it is an HTML page and it is not a feed.
func parseFetched(rawURL string, f fetched) ([]knowledge.Article, error) {
	isHTML := f.mediaType == "text/html" || f.mediaType == "application/xhtml+xml"
	if isHTML && gofeed.DetectFeedType(bytes.NewReader(f.body)) == gofeed.FeedTypeUnknown {
		a, err := ParseHTML(rawURL, f.body, rawURL)
		if err != nil {
			return nil, err
		}
		return []knowledge.Article{a}, nil
	}
	arts, err := ParseFeed(f.body, rawURL)
	if errors.Is(err, ErrNotFeed) && f.mediaType != "" {
		return nil, fmt.Errorf("%w (content type %s)", err, f.mediaType)
	}
	return arts, err
}
