package text

//go:generate go run ./internal/genplaces -version 5.1.0 -out places_data.go
//go:generate go run ./internal/genstop -version 1.1.0 -out stopwords_data.go

// maxPlaceWords is the most words a place name in the table has that is
// worth matching: "islamic republic of iran" has four.
const maxPlaceWords = 5

// Country reports the country that the words at the start of words name,
// and how many words the name takes: a country's name in English, Spanish,
// French, German or Portuguese ("Irán"), its people ("Iranian",
// "Iranians") or its capital ("Tehran"). words are folded as Fold folds
// them, lower-cased and without diacritics (placeKey folds a word so).
// It matches the longest name,
// so "united states" is one name, not "united".
//
// The names come from the world-countries data set (see places_data.go);
// a name two countries share is left out, unless only one of them is
// independent.
func Country(words []string) (country string, n int) {
	for k := min(len(words), maxPlaceWords); k >= 1; k-- {
		phrase := words[0]
		for _, w := range words[1:k] {
			phrase += " " + w
		}
		if c, ok := placeNames[phrase]; ok {
			return c, k
		}
	}
	return "", 0
}

// CountryOfAcronym reports the country a short name in capitals names, as
// written: "US", "USA", "UK". "us" in lower case is a pronoun, not a
// country, so the word must be given as written.
func CountryOfAcronym(word string) (string, bool) {
	c, ok := placeAcronyms[word]
	return c, ok
}

// PlaceKey folds a word as Country wants it: lower-cased and without
// diacritics ("Irán" is "iran"), as FoldString folds it for the index.
func PlaceKey(word string) string { return FoldString(word) }
