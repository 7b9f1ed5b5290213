package answer

import (
	"container/list"
	"strings"
	"sync"
	"time"
	"unicode"
)

// cache keeps recent answers for a while. An entry is valid only for the
// knowledge base generation it was computed on, so ingesting anything new
// invalidates every cached answer at once, in this process or another.
// A nil *cache caches nothing.
type cache struct {
	mu    sync.Mutex
	ttl   time.Duration
	size  int
	now   func() time.Time
	order *list.List // front is most recently used
	items map[string]*list.Element
}

type cacheEntry struct {
	key     string
	gen     int64
	expires time.Time
	answer  Answer
}

func newCache(size int, ttl time.Duration, now func() time.Time) *cache {
	return &cache{ttl: ttl, size: size, now: now, order: list.New(), items: make(map[string]*list.Element)}
}

func (c *cache) get(key string, gen int64) (Answer, bool) {
	if c == nil {
		return Answer{}, false
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	el, ok := c.items[key]
	if !ok {
		return Answer{}, false
	}
	ent := el.Value.(*cacheEntry)
	if ent.gen != gen || !c.now().Before(ent.expires) {
		c.order.Remove(el)
		delete(c.items, key)
		return Answer{}, false
	}
	c.order.MoveToFront(el)
	a := ent.answer
	a.Citations = append([]Citation(nil), a.Citations...)
	return a, true
}

func (c *cache) put(key string, gen int64, a Answer) {
	if c == nil {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	ent := &cacheEntry{key: key, gen: gen, expires: c.now().Add(c.ttl), answer: a}
	if el, ok := c.items[key]; ok {
		el.Value = ent
		c.order.MoveToFront(el)
		return
	}
	c.items[key] = c.order.PushFront(ent)
	for c.order.Len() > c.size {
		old := c.order.Back()
		c.order.Remove(old)
		delete(c.items, old.Value.(*cacheEntry).key)
	}
}

// cacheKey identifies a question: the same words in any case, spacing or
// punctuation, over the same search, sources and answering mode.
func cacheKey(searched, question string, sources, prefer []string, withLLM bool) string {
	mode := "extract"
	if withLLM {
		mode = "llm"
	}
	src := make([]string, len(sources))
	for i, s := range sources {
		src[i] = strings.ToLower(s)
	}
	return mode + "\x00" + normalize(question) + "\x00" + normalize(searched) + "\x00" + strings.Join(src, ",") + "\x00" + strings.Join(prefer, ",")
}

// normalize lowercases s and keeps only its words, one space apart.
func normalize(s string) string {
	return strings.Join(strings.FieldsFunc(strings.ToLower(s), func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r)
	}), " ")
}
