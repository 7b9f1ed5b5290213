package slack

import (
	"github.com/byline-bot/byline/adapters/chat"
)

var _ chat.Locator = (*messageReply)(nil)

// Posted implements chat.Locator: the thread the answer is in ("" for
// the channel itself) and its first message's ts.
func (r *messageReply) Posted() (thread, message string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.threadTS, r.posted
}
