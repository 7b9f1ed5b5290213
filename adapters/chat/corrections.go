package chat

import "context"

// Corrector is a Platform that can tell, under an answer it posted, that
// a paragraph the answer cited has changed (see package corrections).
// Without it, corrections for the platform's answers are not told: they
// are logged and dropped.
type Corrector interface {
	// PostCorrection posts Markdown text, as Post does, in the thread of
	// the answer posted as message messageID in channelID; threadID is the
	// thread the answer is in, "" when it is in the channel itself, in
	// which case a thread is started on the answer, or the answer's own
	// thread used, as the platform has it. It returns the first message's
	// id.
	PostCorrection(ctx context.Context, channelID, threadID, messageID, text string) (string, error)
	// MarkSuperseded puts a short note (Markdown, one line) at the top of
	// the answer's message, keeping the rest as it reads: the answer is
	// marked, never silently rewritten.
	MarkSuperseded(ctx context.Context, channelID, threadID, messageID, note string) error
}
