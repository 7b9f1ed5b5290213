package ingest

import (
	"errors"
	"os"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/byline-bot/byline/knowledge"
)

const testRSS = `<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/" xmlns:dc="http://purl.org/dc/elements/1.1/">
<channel>
  <title>Kestle &amp; District Wire</title>
  <link>https://wire.example/</link>
  <language>en-gb</language>
  <item>
    <title>Ferry to run &lt;b&gt;hourly&lt;/b&gt;</title>
    <link>https://wire.example/ferry</link>
    <guid>ferry-1</guid>
    <pubDate>Thu, 02 Apr 2026 09:30:00 +0000</pubDate>
    <dc:creator>Ada Brook</dc:creator>
    <description>Short summary.</description>
    <content:encoded><![CDATA[<p>The ferry will run hourly.</p><p>Demand has <em>doubled</em>.</p>]]></content:encoded>
  </item>
  <item>
    <title>Bridge reopens</title>
    <link>/bridge</link>
    <description>The bridge reopened on Friday.&lt;br&gt;Traffic was light.</description>
  </item>
  <item>
    <guid isPermaLink="false">tag:wire.example,2026:77</guid>
    <description>Plain text summary.

Second paragraph.</description>
  </item>
  <item>
    <description>No link or guid. Second sentence.</description>
  </item>
  <item>
    <title>Link only</title>
    <link>https://wire.example/link-only</link>
  </item>
</channel>
</rss>`

const testAtom = `<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="en">
  <title>Valley Notes</title>
  <link href="https://notes.example/"/>
  <updated>2026-05-01T12:00:00Z</updated>
  <author><name>Feed Author</name></author>
  <id>urn:uuid:60a76c80-d399-11d9-b93c-0003939e0af6</id>
  <entry>
    <title type="html">Council &amp;amp; the budget</title>
    <link href="https://notes.example/budget"/>
    <id>urn:uuid:1225c695-cfb8-4ebb-aaaa-80da344efa6a</id>
    <updated>2026-05-01T12:00:00Z</updated>
    <author><name>Ben Ode</name></author>
    <summary>Summary only.</summary>
    <content type="html">&lt;p&gt;The council passed the budget.&lt;/p&gt;&lt;ul&gt;&lt;li&gt;Roads&lt;/li&gt;&lt;li&gt;Parks&lt;/li&gt;&lt;/ul&gt;</content>
  </entry>
  <entry>
    <title>Summary entry</title>
    <id>urn:uuid:2</id>
    <published>2026-04-30T08:00:00+02:00</published>
    <updated>2026-05-01T08:00:00+02:00</updated>
    <summary>Only a summary here.</summary>
  </entry>
</feed>`

func TestParseFeed(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want []knowledge.Article
	}{
		{
			name: "RSS",
			in:   testRSS,
			want: []knowledge.Article{
				{
					Ref: "https://wire.example/ferry", Source: "Kestle & District Wire", Title: "Ferry to run hourly",
					URL: "https://wire.example/ferry", Author: "Ada Brook", Language: "en-gb",
					Published:  time.Date(2026, 4, 2, 9, 30, 0, 0, time.UTC),
					Paragraphs: []string{"The ferry will run hourly.", "Demand has doubled."},
				},
				{
					Ref: "https://wire.example/bridge", Source: "Kestle & District Wire", Title: "Bridge reopens",
					URL: "https://wire.example/bridge", Language: "en-gb",
					Paragraphs: []string{"The bridge reopened on Friday.", "Traffic was light."},
				},
				{
					Ref: "tag:wire.example,2026:77", Source: "Kestle & District Wire", Title: "Plain text summary",
					Language: "en-gb", Paragraphs: []string{"Plain text summary.", "Second paragraph."},
				},
				{
					Ref: "feed.xml#4", Source: "Kestle & District Wire", Title: "No link or guid",
					Language: "en-gb", Paragraphs: []string{"No link or guid. Second sentence."},
				},
				{
					Ref: "https://wire.example/link-only", Source: "Kestle & District Wire", Title: "Link only",
					URL: "https://wire.example/link-only", Language: "en-gb",
				},
			},
		},
		{
			name: "Atom",
			in:   testAtom,
			want: []knowledge.Article{
				{
					Ref: "https://notes.example/budget", Source: "Valley Notes", Title: "Council & the budget",
					URL: "https://notes.example/budget", Author: "Ben Ode", Language: "en",
					Published:  time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC),
					Paragraphs: []string{"The council passed the budget.", "Roads", "Parks"},
				},
				{
					Ref: "urn:uuid:2", Source: "Valley Notes", Title: "Summary entry", Author: "Feed Author", Language: "en",
					Published:  time.Date(2026, 4, 30, 6, 0, 0, 0, time.UTC),
					Paragraphs: []string{"Only a summary here."},
				},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseFeed([]byte(tt.in), "feed.xml")
			if err != nil {
				t.Fatalf("ParseFeed: %v", err)
			}
			if diff := cmp.Diff(tt.want, got, cmp.Comparer(time.Time.Equal)); diff != "" {
				t.Errorf("ParseFeed mismatch (-want +got):\n%s", diff)
			}
			for _, a := range got {
				checkArticle(t, a)
			}
		})
	}
}

func TestParseFeedExample(t *testing.T) {
	const path = "../../examples/articles/brackenford-ledger.rss"
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	got, err := ParseFeed(data, path)
	if err != nil {
		t.Fatalf("ParseFeed: %v", err)
	}
	if len(got) != 1 || len(got[0].Paragraphs) != 6 || got[0].Author != "Priya Natarajan" || got[0].Source != "The Brackenford Ledger" {
		t.Errorf("ParseFeed(%s) = %+v, want one article of 6 paragraphs by Priya Natarajan", path, got)
	}
}

func TestParseFeedErrors(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		wantIs  error
		wantMsg string
	}{
		{"not XML", "hello", ErrNotFeed, "not an RSS or Atom feed"},
		{"other XML", `<?xml version="1.0"?><urlset><url><loc>https://x.example/</loc></url></urlset>`, ErrNotFeed, "not an RSS or Atom feed"},
		{"no items", `<rss version="2.0"><channel><title>Empty</title></channel></rss>`, ErrNoText, "no text: the feed has no items"},
		{"binary", "<rss\x00", ErrBinary, "binary file, not text (NUL byte at offset 4)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseFeed([]byte(tt.in), "feed.xml")
			if !errors.Is(err, tt.wantIs) {
				t.Errorf("error = %v, want %v", err, tt.wantIs)
			}
			if diff := cmp.Diff(tt.wantMsg, errText(err)); diff != "" {
				t.Errorf("error message mismatch (-want +got):\n%s", diff)
			}
		})
	}
}
