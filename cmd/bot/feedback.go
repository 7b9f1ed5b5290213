package main

import (
	"crypto/hmac"
	"crypto/sha256"
)

// feedbackSecret is the key a platform's Service hashes user ids and signs
// its feedback buttons' ids with: chat.feedback_secret, or, when that is
// unset, a key derived from the platform's token, which is secret and
// stable too. A new token then starts the users' hashes afresh and voids
// the buttons under older answers (they are refused politely), which is
// why the README suggests setting chat.feedback_secret.
func feedbackSecret(c Config, platform string) []byte {
	if c.Chat.FeedbackSecret != "" {
		return []byte(c.Chat.FeedbackSecret)
	}
	k, ok := kindNamed(platform)
	if !ok {
		// The console's one user has nothing to hide from a known key.
		return []byte("byline console")
	}
	token := k.secret(c)
	h := hmac.New(sha256.New, []byte(token))
	h.Write([]byte("byline feedback key"))
	return h.Sum(nil)
}
