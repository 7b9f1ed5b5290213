package cite

import (
	"testing"

	"github.com/byline-bot/byline/text"

	"github.com/byline-bot/byline/knowledge"
)

// faithPassages are a made-up story in two articles, written for these
// tests: a port strike, a ministry's denial and an outlet's report.
var faithPassages = []knowledge.Passage{
	{ArticleID: "port", Paragraph: 1, Source: "Harbour Times", Title: "Dock workers strike at Mombasa",
		Text: "Dock workers at Mombasa walked out on Tuesday, the dockers' union said, after talks with the port authority failed for the third time."},
	{ArticleID: "port", Paragraph: 2, Source: "Harbour Times",
		Text: "Union leader Amina Otieno said the authority had ignored safety complaints for three years."},
	{ArticleID: "port", Paragraph: 3, Source: "Harbour Times",
		Text: "The Kenyan transport ministry rejected the union's account and said the port was safe. It did not give figures."},
	{ArticleID: "port", Paragraph: 4, Source: "Harbour Times",
		Text: "In response to questions about the Reuters report, the ministry spokesman Paul Mwangi said the strike was unlawful."},
	{ArticleID: "wire", Paragraph: 1, Source: "Coast Wire",
		Text: "The strike was first reported by the portal Pwani Daily, which said it had received internal emails from the authority."},
	{ArticleID: "wire", Paragraph: 2, Source: "Coast Wire",
		Text: "\"Any outlet that prints these emails is doing the work of the enemies of the United States,\" the authority's lawyer Grace Njeri said."},
	{ArticleID: "wire", Paragraph: 3, Source: "Coast Wire",
		Text: "The authority's chairman Joseph Kamau has led the port since 2019. The company said it had no comment beyond its statement."},
	{ArticleID: "wire", Paragraph: 4, Source: "Coast Wire",
		Text: "The Ugandan ministry said fuel shipments to Kampala were delayed."},
	{ArticleID: "port", Paragraph: 5, Source: "Harbour Times",
		Text: "The Kenyan ministry of transport oversees the port authority."},
	{ArticleID: "port", Paragraph: 6, Source: "Harbour Times",
		Text: "The Kenyan ministry, in a statement, rejected the report published by Pwani Daily."},
	{ArticleID: "wire", Paragraph: 5, Source: "Coast Wire",
		Text: "The union pointed to a report by Reuters in June that said Kenyan port cranes were unsafe."},
	{ArticleID: "port", Paragraph: 7, Source: "Harbour Times",
		Text: "Amina Otieno, union leader at the Kenyan port of Mombasa, based her accusations on a report issued by the Harbour Safety Board."},
}

// TestHolds checks each way a claim may misstate the passages it cites,
// and the paraphrases that must still pass, one row each.
func TestHolds(t *testing.T) {
	ev := newEvidence(faithPassages)
	tests := []struct {
		name  string
		claim string
		cited []int // indices into faithPassages
		why   string
	}{
		// Faithful paraphrases.
		{"verbatim", "Dock workers at Mombasa walked out on Tuesday.", []int{0}, ""},
		{"digits for a number word", "Otieno said the authority ignored safety complaints for 3 years.", []int{1}, ""},
		{"capital for its country", "Nairobi's transport ministry rejected the union's account.", []int{2}, ""},
		{"people for its country", "The Kenyan ministry said the port was safe.", []int{2}, ""},
		{"America for the United States", "Njeri said outlets printing the emails do the work of America's enemies.", []int{5}, ""},
		{"a name from another passage, tied by a shared word", "Otieno said the union was ignored by the port authority's chairman Joseph Kamau.", []int{1, 0}, ""},
		{"given name before a known surname", "Union leader Amina Otieno said the authority ignored safety complaints for three years.", []int{1}, ""},
		{"speaker after the quote", "Njeri said outlets that print the emails do the work of the enemies of the United States.", []int{5}, ""},
		{"speaker after by", "Pwani Daily said it had received internal emails from the authority.", []int{4}, ""},
		{"outlet as speaker", "The Harbour Times reported that dock workers at Mombasa walked out.", []int{0}, ""},
		{"denial for rejection", "The Kenyan ministry denied the union's account.", []int{2}, ""},
		{"negation kept", "The ministry did not give figures.", []int{2}, ""},
		{"declined for no comment", "The company declined to comment beyond its statement.", []int{6}, ""},
		{"speaker the passage names only as the company", "Kamau's authority said it had no comment beyond its statement.", []int{6}, ""},
		{"a report from a month, about a country", "The union pointed to a Reuters report from June about unsafe Kenyan cranes.", []int{10}, ""},
		{"a speaker before an aside", "The Kenyan ministry rejected the Pwani Daily report.", []int{9}, ""},
		{"a heading in bold", "**The Ministry's Position:** The Kenyan transport ministry rejected the union's account.", []int{2}, ""},
		{"a transition word", "Additionally, the Kenyan transport ministry rejected the union's account.", []int{2}, ""},
		{"a speaker before an aside, and a participle", "Otieno accused the authority of ignoring safety, citing a Harbour Safety Board report.", []int{11}, ""},
		{"a number of articles", "The two articles say the Kenyan transport ministry rejected the union's account.", []int{2}, ""},
		{"one word of its own", "Dock workers at Mombasa went on strike on Tuesday after talks failed.", []int{0}, ""},

		// Unfaithful claims.
		{"a heading does not hide the claim", "**The Ministry's Position:** The Ugandan transport ministry rejected the union's account.", []int{2}, whyEntity},
		{"number word changed", "Otieno said the authority ignored safety complaints for four years.", []int{1}, whyNumber},
		{"ordinal changed", "Talks with the port authority failed for the second time.", []int{0}, whyNumber},
		{"digits changed", "Joseph Kamau has led the port since 2018.", []int{6}, whyNumber},
		{"date changed", "Dock workers at Mombasa walked out on Wednesday.", []int{0}, whyDate},
		{"a name no passage has", "Union leader Samuel Ruto said the authority ignored safety complaints.", []int{1}, whyName},
		{"an acronym no passage has", "The ILO said the dock workers at Mombasa walked out.", []int{0}, whyName},
		{"a country no passage names", "The Tanzanian transport ministry rejected the union's account.", []int{2}, whyName},
		{"a name put in another's place", "Union leader Grace Njeri said the authority ignored safety complaints.", []int{1}, whyEntity},
		{"a country put in another's place", "The Ugandan ministry of transport oversees the port authority.", []int{8}, whyEntity},
		{"the wrong speaker, mentioned as a topic", "Reuters said the strike was unlawful.", []int{3}, whySpeaker},
		{"the wrong speaker, quoted elsewhere", "Otieno said the port was safe.", []int{2}, whyEntity},
		{"an outlet the cited passage does not name", "The Coast Wire reported that dock workers at Mombasa walked out.", []int{0}, whyEntity},
		{"a fact of its own", "The Kenyan transport ministry rejected the union's account and said the port was safe, promising compensation to families.", []int{2}, whyOutside},
		{"negation dropped", "The ministry gave figures.", []int{2}, whyNegation},
		{"negation added", "The union did not walk out on Tuesday at Mombasa.", []int{0}, whyNegation},
		{"the wrong passage cited", "The dock workers walked out after talks with the port authority failed.", []int{2}, whyCoverage},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ok, why := ev.holds(tt.claim, tt.cited)
			if why != tt.why || ok != (tt.why == "") {
				t.Errorf("holds(%q, %v) = %v %q, want %q", tt.claim, tt.cited, ok, why, tt.why)
			}
		})
	}
}

// TestVerifyKeepsParaphrases runs verify, the way the engine does, on an
// answer that mixes faithful paraphrases and misstatements.
func TestVerifyKeepsParaphrases(t *testing.T) {
	got := verify("Nairobi's transport ministry rejected the union's account [3]. "+
		"Otieno said the authority ignored safety complaints for four years [2]. "+
		"Reuters said the strike was unlawful [4].", faithPassages)
	want := "Nairobi's transport ministry rejected the union's account. [1]"
	if got.Text != want {
		t.Errorf("verify = %q, want %q", got.Text, want)
	}
}

func TestNegationOf(t *testing.T) {
	n := negationOf(tokens("The mission has no purpose or motivation to interfere, and it did not comment."))
	for k, want := range map[string]bool{text.Key("purpose"): true, text.Key("motivation"): true, text.Key("interfere"): false, text.Key("comment"): true, text.Key("mission"): false} {
		if n.negated[k] != want {
			t.Errorf("negated[%s] = %v, want %v", k, n.negated[k], want)
		}
	}
}

func TestTokensMarkCountries(t *testing.T) {
	ts := tokens("Officials in Tehran met the United States envoy and America's allies.")
	got := map[string]string{}
	for _, tk := range ts {
		if tk.country != "" {
			got[tk.Word] = tk.country
		}
	}
	want := map[string]string{"Tehran": "Iran", "United": "United States", "States": "United States", "America": "United States"}
	for w, c := range want {
		if got[w] != c {
			t.Errorf("country of %q = %q, want %q (all: %v)", w, got[w], c, got)
		}
	}
	if len(got) != len(want) {
		t.Errorf("countries %v, want %v", got, want)
	}
}

// BenchmarkVerify measures the checks on an answer of six sentences over
// the passages above: each passage is read once per answer, its speakers
// once when first asked for.
func BenchmarkVerify(b *testing.B) {
	text := "Nairobi's transport ministry rejected the union's account [3]. " +
		"Otieno said the authority ignored safety complaints for three years [2]. " +
		"Njeri said outlets printing the emails do the work of America's enemies [6]. " +
		"The company said it had no comment beyond its statement [7]. " +
		"Pwani Daily said it had received internal emails from the authority [5]. " +
		"Reuters said the strike was unlawful [4]."
	for b.Loop() {
		verify(text, faithPassages)
	}
}
