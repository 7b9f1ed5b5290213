// Package answer turns a question into a short answer in which every claim
// cites the stored paragraph it comes from, or into an honest abstention.
//
// It retrieves passages from the knowledge base, then either has a
// language model write the answer from those passages only, or, with no
// model configured, extracts the sentences that answer the question. Either
// way, citations are parsed and checked against the retrieved passages
// before anyone sees them.
package answer

import "github.com/byline-bot/byline/cite"

// Citation is one numbered source of an answer: a stored paragraph and the
// sentence of it that supports the claim (see cite.Citation).
type Citation = cite.Citation
