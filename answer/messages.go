package answer

import (
	"fmt"

	"github.com/byline-bot/byline/text"
)

// The frame text of answers without a model, in the asker's language. A
// quote stays in the article's language; what the bot says around it is
// in the question's.
type messages struct {
	abstain      string // begins every abstention
	searchedNone string // %q: what was searched
	noContent    string // a question with no words to search for
	articlesSay  string // leads a yes/no answer
	deniesIt     string // %s: who denies; leads a yes/no answer whose quote denies
	whatSaid     string // %s: the speaker
	bothSides    string
	noDispute    string // a both-sides question whose articles carry no denial
	overviewOf   string // %s: the subject
	overview     string
	whichStory   string
	correction   string // %s: the corrected words, shown when a typo was corrected
}

var catalog = map[text.Language]messages{
	text.English: {
		abstain:      AbstainText,
		searchedNone: "I searched the stored articles for %q and found nothing that answers it.",
		noContent:    "Ask me a question about the news, for example: who said what about a story?",
		articlesSay:  "The articles say:",
		deniesIt:     "The articles say %s denies it:",
		whatSaid:     "What %s said, according to the articles:",
		bothSides:    "The articles give both sides:",
		noDispute:    "The articles I have report no denial or dispute of it. What they say:",
		overviewOf:   "What the articles say about %s, newest first:",
		overview:     "What the story is about, newest first:",
		whichStory:   "Which story do you mean? The articles I have cover many; the most recent include:",
		correction:   "(searched for: %s)",
	},
	text.Spanish: {
		abstain:      "Los artículos que tengo no lo dicen.",
		searchedNone: "Busqué %q en los artículos guardados y no encontré nada que lo responda.",
		noContent:    "Hazme una pregunta sobre las noticias, por ejemplo: ¿quién dijo qué sobre una historia?",
		articlesSay:  "Los artículos dicen:",
		deniesIt:     "Los artículos dicen que %s lo niega:",
		whatSaid:     "Lo que dijo %s, según los artículos:",
		bothSides:    "Los artículos recogen ambas partes:",
		noDispute:    "Los artículos que tengo no recogen ningún desmentido. Lo que dicen:",
		overviewOf:   "Lo que dicen los artículos sobre %s, lo más reciente primero:",
		overview:     "De qué trata la historia, lo más reciente primero:",
		whichStory:   "¿A qué historia te refieres? Los artículos cubren muchas; entre las más recientes:",
		correction:   "(busqué: %s)",
	},
	text.French: {
		abstain:      "Les articles dont je dispose ne le disent pas.",
		searchedNone: "J'ai cherché %q dans les articles enregistrés et n'ai rien trouvé qui y réponde.",
		noContent:    "Posez-moi une question sur l'actualité, par exemple : qui a dit quoi sur une affaire ?",
		articlesSay:  "Les articles disent :",
		deniesIt:     "Les articles disent que %s le dément :",
		whatSaid:     "Ce qu'a dit %s, selon les articles :",
		bothSides:    "Les articles donnent les deux versions :",
		noDispute:    "Les articles dont je dispose ne rapportent aucun démenti. Ce qu'ils disent :",
		overviewOf:   "Ce que disent les articles sur %s, du plus récent au plus ancien :",
		overview:     "De quoi parle l'affaire, du plus récent au plus ancien :",
		whichStory:   "De quelle affaire parlez-vous ? Les articles en couvrent beaucoup ; parmi les plus récentes :",
		correction:   "(recherche : %s)",
	},
	text.German: {
		abstain:      "Die Artikel, die ich habe, sagen das nicht.",
		searchedNone: "Ich habe die gespeicherten Artikel nach %q durchsucht und nichts gefunden, das die Frage beantwortet.",
		noContent:    "Stellen Sie mir eine Frage zu den Nachrichten, zum Beispiel: Wer hat was zu einer Geschichte gesagt?",
		articlesSay:  "Die Artikel sagen:",
		deniesIt:     "Die Artikel sagen, %s bestreitet es:",
		whatSaid:     "Was %s laut den Artikeln gesagt hat:",
		bothSides:    "Die Artikel geben beide Seiten wieder:",
		noDispute:    "Die Artikel, die ich habe, berichten von keinem Dementi. Was sie sagen:",
		overviewOf:   "Was die Artikel über %s sagen, das Neueste zuerst:",
		overview:     "Worum es in der Geschichte geht, das Neueste zuerst:",
		whichStory:   "Welche Geschichte meinen Sie? Die Artikel behandeln viele; zu den neuesten gehören:",
		correction:   "(gesucht nach: %s)",
	},
	text.Portuguese: {
		abstain:      "Os artigos que tenho não dizem.",
		searchedNone: "Procurei %q nos artigos guardados e não encontrei nada que responda.",
		noContent:    "Faça-me uma pergunta sobre as notícias, por exemplo: quem disse o quê sobre uma história?",
		articlesSay:  "Os artigos dizem:",
		deniesIt:     "Os artigos dizem que %s nega:",
		whatSaid:     "O que %s disse, segundo os artigos:",
		bothSides:    "Os artigos trazem os dois lados:",
		noDispute:    "Os artigos que tenho não relatam nenhum desmentido. O que dizem:",
		overviewOf:   "O que os artigos dizem sobre %s, do mais recente ao mais antigo:",
		overview:     "Do que trata a história, do mais recente ao mais antigo:",
		whichStory:   "De qual história você fala? Os artigos cobrem muitas; entre as mais recentes:",
		correction:   "(pesquisei: %s)",
	},
}

// messagesFor returns the frame text of lang, English when it has none.
func messagesFor(lang text.Language) messages {
	if m, ok := catalog[lang]; ok {
		return m
	}
	return catalog[text.English]
}

// abstainIn is the abstention in lang, saying what was searched.
func abstainIn(lang text.Language, searched string) string {
	m := messagesFor(lang)
	if searched == "" {
		return m.abstain
	}
	return m.abstain + " " + fmt.Sprintf(m.searchedNone, clip(searched, 200))
}
