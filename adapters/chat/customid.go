package chat

import (
	"errors"
	"strconv"
	"strings"
)

// Action is what a feedback control does.
type Action byte

// The feedback actions. A reader who says a source is wrong is asked which
// one (and why) in a second step: a menu of the answer's sources (Discord),
// or a form with the menu in it (Slack), whose submission is a Report.
const (
	ActHelpful    Action = 'h'
	ActNotHelpful Action = 'n'
	// ActWrongSource asks which source is wrong.
	ActWrongSource Action = 'w'
	// ActPickSource is the menu of sources; the click carries the [n]
	// chosen.
	ActPickSource Action = 'p'
	// ActReport records that source [n] is wrong, with a reason: the [n]
	// is in the id, or (N 0) comes with the click.
	ActReport Action = 'r'
)

// CustomID is what a feedback control's id says: the answer it belongs
// to (its id in the answer records), what it does, and a MAC that only
// the Service that made it can make, so that an id the bot did not make is
// refused. It carries all a click needs, so buttons work after a restart.
//
// Its text form is "byl1:<answer>:<action>[<n>]:<mac>", at most 45
// characters, within Discord's 100 for a custom_id and Slack's 255 for an
// action_id.
type CustomID struct {
	Answer int64
	Action Action
	// N is the source, for ActReport; 0 when the click says.
	N   int
	mac string
}

// idVersion starts every id of the current form; idPrefix every id this
// bot ever made, of any form.
const (
	idPrefix  = "byl"
	idVersion = idPrefix + "1"
	macLen    = 12 // characters: 9 bytes of HMAC in base64url
	maxN      = 99
)

// Errors of ParseCustomID.
var (
	// ErrUnknownID is an id that is not a feedback control's.
	ErrUnknownID = errors.New("chat: not a feedback control's id")
	// ErrStaleID is an id of a form this version no longer reads.
	ErrStaleID = errors.New("chat: a feedback control's id of an older form")
)

// ParseCustomID reads a feedback control's id. It checks the form only;
// whether the MAC is right is for the Service that made it to say.
func ParseCustomID(s string) (CustomID, error) {
	if len(s) > 64 {
		return CustomID{}, ErrUnknownID
	}
	parts := strings.Split(s, ":")
	if len(parts) == 0 || !strings.HasPrefix(parts[0], idPrefix) {
		return CustomID{}, ErrUnknownID
	}
	if parts[0] != idVersion {
		if isDigits(parts[0][len(idPrefix):]) {
			return CustomID{}, ErrStaleID
		}
		return CustomID{}, ErrUnknownID
	}
	if len(parts) != 4 {
		return CustomID{}, ErrUnknownID
	}
	id, ok := positive(parts[1], 1<<62)
	if !ok {
		return CustomID{}, ErrUnknownID
	}
	c := CustomID{Answer: id, mac: parts[3]}
	act := parts[2]
	if act == "" {
		return CustomID{}, ErrUnknownID
	}
	c.Action = Action(act[0])
	switch c.Action {
	case ActHelpful, ActNotHelpful, ActWrongSource, ActPickSource:
		if len(act) != 1 {
			return CustomID{}, ErrUnknownID
		}
	case ActReport:
		if len(act) > 1 {
			n, ok := positive(act[1:], maxN)
			if !ok {
				return CustomID{}, ErrUnknownID
			}
			c.N = int(n)
		}
	default:
		return CustomID{}, ErrUnknownID
	}
	if len(c.mac) != macLen || !isBase64URL(c.mac) {
		return CustomID{}, ErrUnknownID
	}
	return c, nil
}

// String returns the id's text form, which ParseCustomID reads back.
func (c CustomID) String() string {
	return c.payload() + ":" + c.mac
}

// payload is the id without its MAC: what the MAC is of.
func (c CustomID) payload() string {
	act := string(c.Action)
	if c.N > 0 {
		act += strconv.Itoa(c.N)
	}
	return idVersion + ":" + strconv.FormatInt(c.Answer, 10) + ":" + act
}

// positive reads a decimal number from 1 to max written without a sign or
// leading zeros, so that each number has one text form.
func positive(s string, max int64) (int64, bool) {
	if s == "" || s[0] == '0' || !isDigits(s) || len(s) > 19 {
		return 0, false
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n < 1 || n > max {
		return 0, false
	}
	return n, true
}

func isDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

func isBase64URL(s string) bool {
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9', c == '-', c == '_':
		default:
			return false
		}
	}
	return true
}
