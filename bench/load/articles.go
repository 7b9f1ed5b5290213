package main

import (
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/byline-bot/byline/knowledge"
)

// The synthetic news the load run answers from: town councils deciding
// about projects. The text is made up here from these lists, so the run
// needs no data set.
var (
	towns = []string{
		"Ashford", "Bramley", "Caldwell", "Dunmore", "Eastwick", "Fairhaven", "Glenrock", "Harlow",
		"Ivybridge", "Juniper Falls", "Kestrel Bay", "Linton", "Marlow Creek", "Northam", "Oakridge",
		"Pellston", "Quarry Hill", "Redcliff", "Stonebury", "Thornfield", "Upton Vale", "Valemont",
		"Westerby", "Yarrow", "Zennor Point", "Alderton", "Birchwood", "Copperfield", "Dovecote", "Elmstead",
	}
	topics = []struct{ what, verb, concern string }{
		{"new library wing", "approve", "the loss of parking"},
		{"bus route extension", "fund", "late-night noise"},
		{"flood barrier", "build", "the cost overrun on the last barrier"},
		{"school roof repair", "pay for", "the contractor's record"},
		{"bike lane network", "expand", "fewer lanes for cars"},
		{"harbour dredging", "start", "harm to the oyster beds"},
		{"solar farm lease", "sign", "the view from the ridge"},
		{"water main renewal", "speed up", "months of road closures"},
		{"community pool", "reopen", "the yearly running cost"},
		{"market square redesign", "adopt", "the removal of old trees"},
	}
	outlets = []string{"Valley Courier", "Harbour Gazette", "County Ledger", "Northern Post", "Riverside Times"}
	mayors  = []string{"Ada Fenwick", "Tomas Ruiz", "Priya Natarajan", "Colm Brady", "Ines Okafor", "Lena Vogt"}
	months  = []string{"January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"}
	funds   = []string{"a state grant", "the reserve fund", "a bond issue", "a small rise in property tax", "parking fees"}
	days    = []string{"Monday", "Tuesday", "Wednesday", "Thursday"}
)

// articles returns n synthetic articles, the same for the same seed, each
// about one town's council and one project.
func articles(n int, seed uint64) []knowledge.Article {
	rng := rand.New(rand.NewPCG(seed, 1))
	base := time.Date(2026, 11, 1, 9, 0, 0, 0, time.UTC)
	out := make([]knowledge.Article, 0, n)
	for i := range n {
		town := towns[i%len(towns)]
		tp := topics[(i/len(towns))%len(topics)]
		yes := 4 + rng.IntN(3)
		no := 1 + rng.IntN(3)
		mayor := mayors[rng.IntN(len(mayors))]
		cost := 2 + rng.IntN(40)
		years := 2 + rng.IntN(8)
		fund := funds[rng.IntN(len(funds))]
		for_, against := 10+rng.IntN(40), 5+rng.IntN(30)
		start := months[rng.IntN(len(months))]
		began := months[rng.IntN(len(months))]
		day := days[rng.IntN(len(days))]
		round := i / (len(towns) * len(topics)) // a later article on the same subject
		out = append(out, knowledge.Article{
			Ref:       fmt.Sprintf("load:%d", i),
			Source:    outlets[i%len(outlets)],
			Title:     fmt.Sprintf("%s council votes to %s the %s", town, tp.verb, tp.what),
			URL:       fmt.Sprintf("https://news.example/%d", i),
			Author:    "Staff reporter",
			Language:  "en",
			Published: base.Add(time.Duration(i) * 97 * time.Minute),
			Paragraphs: []string{
				fmt.Sprintf("The %s town council voted %d to %d on %s to %s the %s, ending a debate that began in %s.", town, yes, no, day, tp.verb, tp.what, began),
				fmt.Sprintf("Mayor %s said the %s would cost %d million dollars over %d years and would be paid for by %s.", mayor, tp.what, cost, years, fund),
				fmt.Sprintf("Residents who spoke at the meeting were split: %d supported the plan and %d opposed it, most of them citing %s.", for_, against, tp.concern),
				fmt.Sprintf("Work on the %s in %s is expected to start in %s, according to the schedule the council published with its agenda.", tp.what, town, start),
				fmt.Sprintf("This is update %d on the %s; the council will hear a progress report at its next meeting.", round+1, tp.what),
			},
		})
	}
	return out
}

// questionText is the n-th question: about one town's project, with its
// tag, which the fake model repeats in its answer so that each answer can
// be matched to its question wherever it lands.
func questionText(n int, tag string) string {
	town := towns[n%len(towns)]
	tp := topics[(n/len(towns))%len(topics)]
	return fmt.Sprintf("What did the %s council decide about the %s? (case %s)", town, tp.what, tag)
}
