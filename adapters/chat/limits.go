package chat

import (
	"math"
	"strconv"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// Limits caps how often one user, and one channel, may ask: each is a token
// bucket that holds Burst questions and refills at Per questions a minute.
type Limits struct {
	// UserPerMinute and UserBurst limit each user. Zero PerMinute means no
	// limit.
	UserPerMinute float64
	UserBurst     int
	// ChannelPerMinute and ChannelBurst limit each channel.
	ChannelPerMinute float64
	ChannelBurst     int
}

// Limiter applies Limits. It is safe for concurrent use.
type Limiter struct {
	limits Limits
	now    func() time.Time

	mu       sync.Mutex
	users    map[string]*rate.Limiter
	channels map[string]*rate.Limiter
}

// NewLimiter returns a Limiter; now is the clock (nil means time.Now).
func NewLimiter(l Limits, now func() time.Time) *Limiter {
	if now == nil {
		now = time.Now
	}
	return &Limiter{limits: l, now: now, users: make(map[string]*rate.Limiter), channels: make(map[string]*rate.Limiter)}
}

// Allow takes one question from the user's and the channel's buckets. When
// either is empty it takes nothing and returns how long until the user may
// ask again.
func (l *Limiter) Allow(userID, channelID string) (ok bool, retryAfter time.Duration) {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	var rs []*rate.Reservation
	for _, b := range []*rate.Limiter{
		l.bucket(l.users, userID, l.limits.UserPerMinute, l.limits.UserBurst),
		l.bucket(l.channels, channelID, l.limits.ChannelPerMinute, l.limits.ChannelBurst),
	} {
		if b == nil {
			continue
		}
		r := b.ReserveN(now, 1)
		rs = append(rs, r)
		if d := r.DelayFrom(now); d > retryAfter {
			retryAfter = d
		}
	}
	if retryAfter > 0 {
		for _, r := range rs {
			r.CancelAt(now)
		}
		return false, retryAfter
	}
	return true, 0
}

func (l *Limiter) bucket(m map[string]*rate.Limiter, key string, perMinute float64, burst int) *rate.Limiter {
	if perMinute <= 0 || key == "" {
		return nil
	}
	b, ok := m[key]
	if !ok {
		if burst < 1 {
			burst = 1
		}
		if len(m) > 10000 {
			clear(m) // a full bucket set is the same as a fresh one, give or take
		}
		b = rate.NewLimiter(rate.Limit(perMinute/60), burst)
		m[key] = b
	}
	return b
}

// RetryMessage is the friendly text for a limited user.
func RetryMessage(d time.Duration) string {
	s := int(math.Ceil(d.Seconds()))
	if s < 1 {
		s = 1
	}
	if s == 1 {
		return "That's more questions than I can take right now. Please try again in 1 s."
	}
	return "That's more questions than I can take right now. Please try again in " + strconv.Itoa(s) + " s."
}
