package answer

// SearchLib lets the package's external tests build the engine over a
// search.Library as cmd/bot does.
var SearchLib = searchLib
