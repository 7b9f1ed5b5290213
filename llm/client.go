// Package llm talks to chat models through the OpenAI chat completions API,
// as served by OpenAI, Azure OpenAI, Ollama, vLLM and llama.cpp.
//
// It wraps go-openai with what the bot needs: a deadline for each attempt,
// retries with backoff that honour Retry-After, streaming that never repeats
// text the user has already seen, errors that say which setting to check
// (see Error), and token counting (see Counter).
package llm

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/sashabaranov/go-openai"
)

// Defaults for the zero values of Options.
const (
	DefaultBaseURL         = "https://api.openai.com/v1"
	DefaultTimeout         = 60 * time.Second
	DefaultMaxRetries      = 3
	DefaultMaxBackoff      = 30 * time.Second
	DefaultAzureAPIVersion = "2024-10-21"
)

// Roles of a Message.
const (
	RoleSystem    = "system"
	RoleUser      = "user"
	RoleAssistant = "assistant"
)

// Options configures a Client. The config keys named in error messages
// (llm.model, llm.base_url, ...) are the snake_case forms of these fields.
type Options struct {
	// BaseURL is the API root, such as https://api.openai.com/v1 or
	// http://localhost:11434/v1 for Ollama; "/chat/completions" is added to
	// it. For Azure it is the resource endpoint, such as
	// https://NAME.openai.azure.com. Empty means DefaultBaseURL, except for
	// Azure, where it is required.
	BaseURL string

	// APIKey is sent as a bearer token, or in the api-key header for
	// Azure. It may be empty for local servers. It is never logged, and
	// never appears in an error, even if the server echoes it (a key
	// shorter than 8 characters is taken for a placeholder such as
	// "ollama" and is not searched for in the server's text).
	APIKey string

	// Model is the model name, or for Azure the deployment name. Required.
	Model string

	// APIType is "openai" (the default, for every OpenAI-compatible server)
	// or "azure".
	APIType string

	// APIVersion is Azure's api-version query parameter. Empty means
	// DefaultAzureAPIVersion. Ignored unless APIType is "azure".
	APIVersion string

	// Timeout bounds each attempt as a whole, a stream included, from
	// sending the request to the last byte of the answer. Zero means
	// DefaultTimeout.
	Timeout time.Duration

	// MaxRetries is how many times a request is repeated after a 429, a
	// 500, 502, 503 or 504, a network error or a timeout. Zero means
	// DefaultMaxRetries; negative means no retries.
	MaxRetries int

	// MaxBackoff caps a single wait between attempts; a Retry-After asking
	// for longer is not retried at all. Zero means DefaultMaxBackoff.
	MaxBackoff time.Duration

	// Temperature is sent with every request; the default 0 asks for the
	// most likely answer. Reasoning models (o1, o3, o4, gpt-5 and later)
	// take no temperature, and New rejects a non-zero one for them.
	Temperature float32

	// MaxTokens caps the tokens of each answer; Request.MaxTokens overrides
	// it. Zero means the server's default. It is sent as max_tokens, which
	// every compatible server understands, or as max_completion_tokens for
	// reasoning models, which require it.
	MaxTokens int

	// HTTPClient sends the requests. Nil means a client with a copy of
	// Go's default transport that keeps up to 64 idle connections to the
	// model's server instead of 2, so that a busy bot, with many answers
	// streaming at once, reuses its connections rather than dialling anew
	// after every burst. The client is used as is and never modified.
	HTTPClient *http.Client

	// Logger receives retries at Warn and completed calls at Debug. Nil
	// means discard.
	Logger *slog.Logger

	// Sleep waits between attempts and must return early with ctx.Err()
	// when ctx is done. Nil means a timer. Tests replace it to avoid real
	// waits.
	Sleep func(ctx context.Context, d time.Duration) error
}

// Message is one turn of a conversation.
type Message struct {
	Role    string // RoleSystem, RoleUser or RoleAssistant
	Content string
}

// Request is one chat completion request.
type Request struct {
	Messages []Message

	// MaxTokens overrides Options.MaxTokens when positive.
	MaxTokens int

	// Stop lists sequences at which the model stops (OpenAI allows 4).
	Stop []string
}

// Response is the model's answer.
type Response struct {
	Text  string
	Model string // as reported by the server, else Options.Model

	PromptTokens     int
	CompletionTokens int

	// TokensEstimated reports that the server sent no usage, so the token
	// counts were computed with a Counter and may differ from the
	// server's, especially for non-OpenAI models.
	TokensEstimated bool

	// FinishReason is "stop", "length" (cut off by MaxTokens),
	// "content_filter" and so on; empty if the server did not say.
	FinishReason string
}

// Client sends chat completion requests. It is safe for concurrent use.
type Client struct {
	api        chatAPI
	model      string
	azure      bool
	hasAPIKey  bool
	endpoint   string // BaseURL without credentials, for messages
	timeout    time.Duration
	maxRetries int
	maxBackoff time.Duration
	maxTokens  int
	reasoning  bool    // send max_completion_tokens and no temperature
	temp       float32 // for go-openai, which omits zero
	log        *slog.Logger
	sleep      func(ctx context.Context, d time.Duration) error

	// redact removes the API key from text; a closure rather than a field
	// so that printing a Client with %+v cannot show the key.
	redactKey func(string) string

	// zeroTemperature makes the HTTP layer add "temperature": 0, which
	// go-openai would leave out.
	zeroTemperature bool

	// counter estimates token counts when a server reports none. It is
	// made on first use, as most servers report usage and loading an
	// encoding the first time takes 10 to 20 ms.
	counter func() (*Counter, error)

	// noStreamUsage is set once the server has rejected stream_options,
	// as older Azure API versions do, so later streams leave it out.
	noStreamUsage atomic.Bool
}

// New returns a Client for opts. It checks opts without contacting the
// server; errors name the config key to fix.
func New(opts Options) (*Client, error) {
	if err := opts.normalize(); err != nil {
		return nil, err
	}
	hc := opts.HTTPClient
	if hc == nil {
		t := http.DefaultTransport.(*http.Transport).Clone()
		t.MaxIdleConnsPerHost = 64
		hc = &http.Client{Transport: t}
	}
	var cfg openai.ClientConfig
	if opts.APIType == "azure" {
		cfg = openai.DefaultAzureConfig(opts.APIKey, opts.BaseURL)
		cfg.APIVersion = opts.APIVersion
		// The deployment is exactly Options.Model; go-openai's default
		// mapper would rewrite names such as gpt-3.5-turbo.
		cfg.AzureModelMapperFunc = nil
	} else {
		cfg = openai.DefaultConfig(opts.APIKey)
		cfg.BaseURL = opts.BaseURL
	}
	cfg.HTTPClient = recordingDoer{client: hc}
	return newClient(opts, sdkAPI{client: openai.NewClientWithConfig(cfg)}), nil
}

// newClient returns a Client that calls api; opts must be normalized.
func newClient(opts Options, api chatAPI) *Client {
	logger := opts.Logger
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	sleepFn := opts.Sleep
	if sleepFn == nil {
		sleepFn = sleep
	}
	key := opts.APIKey
	c := &Client{
		api:        api,
		model:      opts.Model,
		azure:      opts.APIType == "azure",
		hasAPIKey:  key != "",
		endpoint:   redactedURL(opts.BaseURL),
		timeout:    opts.Timeout,
		maxRetries: opts.MaxRetries,
		maxBackoff: opts.MaxBackoff,
		maxTokens:  opts.MaxTokens,
		reasoning:  isReasoningModel(opts.Model),
		log:        logger.With("component", "llm", "model", opts.Model),
		sleep:      sleepFn,
		redactKey: func(s string) string {
			if len(key) < minRedactLen {
				return s
			}
			return strings.ReplaceAll(s, key, "[redacted]")
		},
		counter: sync.OnceValues(func() (*Counter, error) { return NewCounter(opts.Model) }),
	}
	if !c.reasoning {
		c.temp = opts.Temperature
		c.zeroTemperature = opts.Temperature == 0
	}
	return c
}

// normalize applies defaults and checks opts.
func (o *Options) normalize() error {
	var errs []error
	bad := func(format string, args ...any) { errs = append(errs, fmt.Errorf(format, args...)) }

	o.APIType = strings.ToLower(strings.TrimSpace(o.APIType))
	switch o.APIType {
	case "", "openai":
		o.APIType = "openai"
	case "azure":
	default:
		bad("llm.api_type %q is not supported: use openai (for any OpenAI-compatible server) or azure", o.APIType)
	}

	o.Model = strings.TrimSpace(o.Model)
	if o.Model == "" {
		bad("llm.model is required: set it to the model name, such as gpt-4o-mini or llama3.1 (for Azure, the deployment name)")
	}

	o.BaseURL = strings.TrimSpace(o.BaseURL)
	if o.BaseURL == "" && o.APIType == "openai" {
		o.BaseURL = DefaultBaseURL
	}
	if o.BaseURL == "" {
		bad("llm.base_url is required for azure: set it to the resource endpoint, such as https://NAME.openai.azure.com")
	} else if err := checkBaseURL(o.BaseURL, o.APIType); err != nil {
		errs = append(errs, err)
	}

	if o.APIKey == "" {
		switch {
		case o.APIType == "azure":
			bad("llm.api_key is required for azure")
		case isOpenAIHost(o.BaseURL):
			bad("llm.api_key is required for %s", DefaultBaseURL)
		}
	}
	if o.APIType == "azure" && o.APIVersion == "" {
		o.APIVersion = DefaultAzureAPIVersion
	}
	if o.APIType != "azure" {
		o.APIVersion = ""
	}

	switch {
	case o.Timeout < 0:
		bad("llm.timeout must not be negative")
	case o.Timeout == 0:
		o.Timeout = DefaultTimeout
	}
	switch {
	case o.MaxRetries < 0:
		o.MaxRetries = 0
	case o.MaxRetries == 0:
		o.MaxRetries = DefaultMaxRetries
	}
	switch {
	case o.MaxBackoff < 0:
		bad("llm.max_backoff must not be negative")
	case o.MaxBackoff == 0:
		o.MaxBackoff = DefaultMaxBackoff
	}
	if o.MaxTokens < 0 {
		bad("llm.max_tokens must not be negative (0 means the server's default)")
	}
	switch {
	case o.Temperature < 0 || o.Temperature > 2:
		bad("llm.temperature %g is out of range: use a value from 0 to 2", o.Temperature)
	case o.Temperature != 0 && isReasoningModel(o.Model):
		bad("llm.temperature: model %q is a reasoning model, which takes no temperature: remove the setting", o.Model)
	}
	return errors.Join(errs...)
}

// checkBaseURL reports a base URL that cannot work. It never quotes a URL
// that failed to parse, which may hold credentials.
func checkBaseURL(raw, apiType string) error {
	u, err := url.Parse(raw)
	if err != nil {
		return errors.New("llm.base_url is not a valid URL: use one such as https://api.openai.com/v1 or http://localhost:11434/v1")
	}
	if (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fmt.Errorf("llm.base_url %q must start with http:// or https:// and name a host, such as http://localhost:11434/v1", u.Redacted())
	}
	path := strings.TrimRight(u.Path, "/")
	if strings.HasSuffix(path, "/chat/completions") {
		return fmt.Errorf("llm.base_url %q must stop before /chat/completions, which is added to it", u.Redacted())
	}
	if apiType == "azure" && strings.HasSuffix(path, "/openai") {
		return fmt.Errorf("llm.base_url %q: for azure, give the resource endpoint without /openai, such as https://NAME.openai.azure.com", u.Redacted())
	}
	return nil
}

func isOpenAIHost(raw string) bool {
	u, err := url.Parse(raw)
	return err == nil && strings.EqualFold(u.Hostname(), "api.openai.com")
}

// redactedURL returns raw with any password removed, for messages.
func redactedURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return "llm.base_url"
	}
	return u.Redacted()
}

// isReasoningModel reports whether model belongs to OpenAI's reasoning
// families, which reject temperature and max_tokens; go-openai checks the
// same prefixes. An Azure deployment is recognised only if its name starts
// the same way.
func isReasoningModel(model string) bool {
	m := strings.ToLower(model)
	for _, p := range []string{"o1", "o3", "o4", "gpt-5", "gpt-6"} {
		if strings.HasPrefix(m, p) {
			return true
		}
	}
	return false
}

// Model returns the configured model (for Azure, the deployment name).
func (c *Client) Model() string { return c.model }

// Complete sends req and returns the whole answer.
//
// Every error is an *Error; use errors.Is with ErrRateLimited,
// ErrUnavailable, ErrTimeout, ErrConfig, ErrBadRequest or ErrEmptyResponse
// to tell failures apart.
func (c *Client) Complete(ctx context.Context, req Request) (Response, error) {
	creq, err := c.chatRequest(req)
	if err != nil {
		return Response{}, err
	}
	start := time.Now()
	var resp Response
	attempts := 0
	err = c.retry(ctx, func(ctx context.Context) error {
		attempts++
		r, err := c.api.CreateChatCompletion(ctx, creq)
		if err != nil {
			return err
		}
		resp, err = c.fromCompletion(r)
		return err
	}, nil)
	if err != nil {
		return Response{}, err
	}
	if resp.PromptTokens == 0 && resp.CompletionTokens == 0 {
		c.estimateTokens(&resp, req.Messages)
	}
	c.logDone(resp, false, attempts, start)
	return resp, nil
}

// Stream sends req and calls onDelta, in the calling goroutine, with each
// piece of text as it arrives; it returns the whole answer at the end.
// Options.Timeout covers the whole stream, including the time spent in
// onDelta.
//
// A failed attempt is retried only while onDelta has not been called, so no
// text is ever delivered twice. If the stream breaks after that, Stream
// returns the text received so far with an *Error whose Partial field is
// true. Errors are as for Complete.
func (c *Client) Stream(ctx context.Context, req Request, onDelta func(delta string)) (Response, error) {
	creq, err := c.chatRequest(req)
	if err != nil {
		return Response{}, err
	}
	if onDelta == nil {
		onDelta = func(string) {}
	}
	start := time.Now()
	var (
		resp      Response
		text      strings.Builder
		delivered bool
		gotUsage  bool
		attempts  int
	)
	err = c.retry(ctx, func(ctx context.Context) error {
		attempts++
		resp, gotUsage = Response{}, false
		text.Reset()
		stream, err := c.openStream(ctx, creq)
		if err != nil {
			return err
		}
		defer stream.Close()
		// A server that has sent the finish (and the usage) but keeps the
		// connection open must not cost the answer: once finished, the
		// stream is read for at most finishGrace more, then closed.
		var grace *time.Timer
		var graceOver atomic.Bool
		defer func() {
			if grace != nil {
				grace.Stop()
			}
		}()
		for {
			chunk, err := stream.Recv()
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				if graceOver.Load() {
					break // closed by us after the finish: the answer is whole
				}
				return err
			}
			if chunk.Model != "" {
				resp.Model = chunk.Model
			}
			if u := chunk.Usage; u != nil && u.PromptTokens+u.CompletionTokens > 0 {
				resp.PromptTokens, resp.CompletionTokens = u.PromptTokens, u.CompletionTokens
				gotUsage = true
			}
			for _, choice := range chunk.Choices {
				if choice.Index != 0 {
					continue
				}
				if choice.FinishReason != "" {
					resp.FinishReason = string(choice.FinishReason)
				}
				if d := choice.Delta.Content; d != "" {
					text.WriteString(d)
					delivered = true
					onDelta(d)
				}
			}
			if resp.FinishReason != "" {
				if gotUsage || c.noStreamUsage.Load() {
					break // nothing more is coming that matters
				}
				if grace == nil {
					grace = time.AfterFunc(finishGrace, func() {
						graceOver.Store(true)
						stream.Close()
					})
				}
			}
		}
		resp.Text = text.String()
		if strings.TrimSpace(resp.Text) == "" {
			return c.emptyError("the stream ended without text", resp.FinishReason, "")
		}
		return nil
	}, func() bool { return delivered })
	if resp.Model == "" {
		resp.Model = c.model
	}
	if err != nil {
		if delivered {
			return Response{Text: text.String(), Model: resp.Model}, err
		}
		return Response{}, err
	}
	if resp.FinishReason == "" {
		// Every known server sends a finish reason; without one the
		// answer may have been cut short by a connection that closed
		// cleanly.
		c.log.Warn("stream ended without a finish reason; the answer may be incomplete")
	}
	if !gotUsage {
		c.estimateTokens(&resp, req.Messages)
	}
	c.logDone(resp, true, attempts, start)
	return resp, nil
}

// finishGrace is how long a stream is read after its finish reason, for
// the usage chunk that follows it.
const finishGrace = time.Second

// openStream starts a stream, asking for usage in a final chunk unless the
// server has rejected that before.
func (c *Client) openStream(ctx context.Context, creq openai.ChatCompletionRequest) (chatStream, error) {
	if c.noStreamUsage.Load() {
		return c.api.CreateChatCompletionStream(ctx, creq)
	}
	withUsage := creq
	withUsage.StreamOptions = &openai.StreamOptions{IncludeUsage: true}
	stream, err := c.api.CreateChatCompletionStream(ctx, withUsage)
	if err == nil || statusOf(err) != http.StatusBadRequest || !strings.Contains(serverMessage(err), "stream_options") {
		return stream, err
	}
	c.noStreamUsage.Store(true)
	c.log.Info("the server rejects stream_options; token counts of streams will be estimated")
	return c.api.CreateChatCompletionStream(ctx, creq)
}

// chatRequest checks req and translates it for go-openai.
func (c *Client) chatRequest(req Request) (openai.ChatCompletionRequest, error) {
	invalid := func(format string, args ...any) error {
		return &Error{kind: ErrBadRequest, msg: "llm: " + fmt.Sprintf(format, args...)}
	}
	if len(req.Messages) == 0 {
		return openai.ChatCompletionRequest{}, invalid("the request has no messages")
	}
	if req.MaxTokens < 0 {
		return openai.ChatCompletionRequest{}, invalid("the request's MaxTokens %d is negative", req.MaxTokens)
	}
	msgs := make([]openai.ChatCompletionMessage, len(req.Messages))
	for i, m := range req.Messages {
		switch m.Role {
		case RoleSystem, RoleUser, RoleAssistant:
		default:
			return openai.ChatCompletionRequest{}, invalid("message %d has role %q; want system, user or assistant", i, m.Role)
		}
		if strings.TrimSpace(m.Content) == "" {
			return openai.ChatCompletionRequest{}, invalid("message %d (%s) has no content", i, m.Role)
		}
		msgs[i] = openai.ChatCompletionMessage{Role: m.Role, Content: m.Content}
	}
	maxTokens := c.maxTokens
	if req.MaxTokens > 0 {
		maxTokens = req.MaxTokens
	}
	creq := openai.ChatCompletionRequest{
		Model:       c.model,
		Messages:    msgs,
		Temperature: c.temp,
		Stop:        req.Stop,
	}
	if c.reasoning {
		creq.MaxCompletionTokens = maxTokens
	} else {
		creq.MaxTokens = maxTokens
	}
	return creq, nil
}

// fromCompletion checks a non-streamed answer and converts it.
func (c *Client) fromCompletion(r openai.ChatCompletionResponse) (Response, error) {
	if len(r.Choices) == 0 {
		return Response{}, c.emptyError("the answer has no choices", "", "")
	}
	choice := r.Choices[0]
	resp := Response{
		Text:             choice.Message.Content,
		Model:            r.Model,
		PromptTokens:     r.Usage.PromptTokens,
		CompletionTokens: r.Usage.CompletionTokens,
		FinishReason:     string(choice.FinishReason),
	}
	if resp.Model == "" {
		resp.Model = c.model
	}
	if strings.TrimSpace(resp.Text) == "" {
		return Response{}, c.emptyError("the answer has no text", resp.FinishReason, choice.Message.Refusal)
	}
	return resp, nil
}

// emptyError explains an answer without text, using the finish reason or a
// refusal when there is one.
func (c *Client) emptyError(what, finishReason, refusal string) *Error {
	msg := "llm: " + what
	switch {
	case refusal != "":
		msg += ": the model refused: " + c.detail(refusal)
	case finishReason == string(openai.FinishReasonLength):
		msg += ": the token limit was reached first: raise llm.max_tokens (reasoning models spend tokens before answering)"
	case finishReason == string(openai.FinishReasonContentFilter):
		msg += ": the server's content filter withheld it"
	case finishReason != "":
		msg += fmt.Sprintf(" (finish reason %q)", finishReason)
	}
	return &Error{kind: ErrEmptyResponse, StatusCode: http.StatusOK, msg: msg}
}

// estimateTokens fills in token counts for a server that reported none.
func (c *Client) estimateTokens(resp *Response, msgs []Message) {
	counter, err := c.counter()
	if err != nil {
		c.log.Warn("cannot estimate token counts", "err", err)
		return
	}
	resp.PromptTokens = counter.CountMessages(msgs)
	resp.CompletionTokens = counter.Count(resp.Text)
	resp.TokensEstimated = true
}

func (c *Client) logDone(resp Response, stream bool, attempts int, start time.Time) {
	c.log.Debug("chat completion done",
		"stream", stream,
		"attempts", attempts,
		"duration", time.Since(start).Round(time.Millisecond),
		"prompt_tokens", resp.PromptTokens,
		"completion_tokens", resp.CompletionTokens,
		"tokens_estimated", resp.TokensEstimated,
		"finish_reason", resp.FinishReason)
}
