package knowledge

import (
	"database/sql"
	"log/slog"
	"sync"
	"time"
)

// records are the bot's own running records, kept in the knowledge base's
// SQLite file but apart from the knowledge in it: the chat events already
// handled (events.go, table seen_events), the language model tokens spent
// (usage.go, table usage), the digest runs (digestruns.go, tables
// digest_runs) and the answers posted with readers' votes on them
// (answers.go, migration 0007). Nothing in them is searched or cited, and the knowledge
// code (articles, paragraphs, refs, search) never reads them; they share
// the file so that one backup and one writer cover everything the bot
// keeps. Store embeds records, so their methods are called on the Store.
type records struct {
	read  *sql.DB
	write *sql.DB
	log   *slog.Logger
	now   func() time.Time
	// onceWait bounds how long Once waits for the writer.
	onceWait time.Duration

	mu sync.Mutex // guards seen and eventsPruned
	// seen holds the event keys this process has recorded, with when each
	// is forgotten: a key seen here is answered without the database.
	seen         map[string]time.Time
	eventsPruned time.Time
}
