package chat

// Placement is where the answer to a message goes.
type Placement int

const (
	// InPlace answers where the message is: a DM, or the thread the
	// message is in.
	InPlace Placement = iota
	// NewThread starts a thread on the message and answers there.
	NewThread
	// InChannel answers in the channel itself (as a reply, where the
	// platform has them).
	InChannel
)

// Where says where the answer to a message goes and which conversation
// it belongs to. The Service decides it, so that every platform keys its
// conversations the same way.
type Where struct {
	Placement Placement
	// Key is the conversation's key (see ThreadKey).
	Key string
	// InThread is true when the answer lands in a thread, which opens the
	// follow-up window there.
	InThread bool
}

// ThreadKey is the key of the conversation in a thread of a channel, or
// of a channel (or DM) itself when threadID is "". A thread started on a
// message has the message's id on both Discord and Slack, so the key of
// a thread not started yet is known.
func ThreadKey(channelID, threadID string) string {
	if threadID != "" {
		return channelID + "/" + threadID
	}
	return channelID
}

// WhereFor decides where the answer to m goes under the channel's settings:
// a DM or a thread answers in place; a channel message in a new thread on
// it, or in the channel, where each asker's questions are a conversation
// of their own while other people's run alongside.
func WhereFor(m Message, cs ChannelSettings) Where {
	switch {
	case m.DM || m.ThreadID != "":
		return Where{Placement: InPlace, Key: m.ConversationKey(), InThread: m.ThreadID != ""}
	case cs.ReplyInThread:
		return Where{Placement: NewThread, Key: ThreadKey(m.ChannelID, m.ID), InThread: true}
	default:
		return Where{Placement: InChannel, Key: m.ConversationKey() + "/u/" + m.UserID}
	}
}

// CommandConversation is the conversation of a slash command asked by
// userID in a channel (or a thread of it, threadID), or in a DM: in a
// channel each asker has a conversation of their own, a whole channel
// not being one; a private answer, which only the asker sees, must not
// become context for the others, so it is a conversation of its own and
// not the thread's.
func CommandConversation(channelID, threadID, userID string, dm, private bool) (key string, inThread bool) {
	switch {
	case dm:
		key = channelID
	case threadID != "":
		key, inThread = ThreadKey(channelID, threadID), true
	default:
		key = channelID + "/u/" + userID
	}
	if private {
		key, inThread = key+"/private/"+userID, false
	}
	return key, inThread
}
