package main

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"reflect"
	"sort"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"
)

// defaultDB is where the knowledge base lives when neither --db, BYLINE_DB
// nor the config file says: a file in the current folder.
const defaultDB = "byline.db"

// Config is the whole of config.yaml. config.example.yaml documents every
// key; keep the two in step.
type Config struct {
	// DB is the path of the SQLite knowledge base.
	DB string `yaml:"db"`
	// Log configures logging.
	Log LogConfig `yaml:"log"`
	// Search holds retrieval defaults.
	Search SearchConfig `yaml:"search"`
	// Ingest holds ingest limits.
	Ingest IngestConfig `yaml:"ingest"`
	// LLM names the language model that writes answers; with no model,
	// answers are extracted from the articles.
	LLM LLMConfig `yaml:"llm"`
	// Answer tunes the answer engine.
	Answer AnswerConfig `yaml:"answer"`
	// Chat holds the answering rules Discord and Slack share.
	Chat ChatConfig `yaml:"chat"`
	// Discord and Slack connect `bot serve` to the platforms.
	Discord DiscordConfig `yaml:"discord"`
	Slack   SlackConfig   `yaml:"slack"`
	// Digest schedules the daily digests.
	Digest DigestConfig `yaml:"digest"`
	// Gaps posts the week's unanswered questions to a desk channel.
	Gaps GapsConfig `yaml:"gaps"`
	// Feeds are polled by `bot serve` so the digest has news.
	Feeds FeedsConfig `yaml:"feeds"`
	// Metrics is the operator's listener of `bot serve`.
	Metrics MetricsConfig `yaml:"metrics"`

	// literal names the secret keys whose values are written in the file
	// itself rather than named as ${ENV}; set by loadConfig.
	literal []string
}

// secrets returns the configured secret values, for the logger to redact.
func (c Config) secrets() []string {
	var out []string
	byKey := c.secretsByKey()
	for _, key := range secretKeys {
		if s := byKey[key]; s != "" {
			out = append(out, s)
		}
	}
	return out
}

// LLMConfig names an OpenAI-compatible chat completion server.
type LLMConfig struct {
	// BaseURL is the API root, e.g. https://api.openai.com/v1 or
	// http://localhost:11434/v1 (Ollama).
	BaseURL string `yaml:"base_url"`
	// APIKey is the key, as ${OPENAI_API_KEY}; empty for local servers.
	APIKey string `yaml:"api_key"`
	// Model is the model (Azure: deployment) name; empty disables the LLM.
	Model string `yaml:"model"`
	// APIType is openai (every compatible server) or azure.
	APIType string `yaml:"api_type"`
	// APIVersion is Azure's api-version.
	APIVersion string `yaml:"api_version"`
	// Timeout bounds one attempt.
	Timeout Duration `yaml:"timeout"`
	// MaxRetries is how often a failed call is repeated (429, 5xx).
	MaxRetries int `yaml:"max_retries"`
	// Temperature is the sampling temperature.
	Temperature float32 `yaml:"temperature"`
	// DailyTokenBudget caps the prompt and completion tokens spent per UTC
	// day; past it answers are extracted. 0 means no cap.
	DailyTokenBudget int64 `yaml:"daily_token_budget"`
}

// AnswerConfig tunes the answer engine.
type AnswerConfig struct {
	// Passages is how many passages are retrieved per question.
	Passages int `yaml:"passages"`
	// PassageTokens caps the passage tokens put in a prompt.
	PassageTokens int `yaml:"passage_tokens"`
	// MaxAnswerTokens caps the model's answer.
	MaxAnswerTokens int `yaml:"max_answer_tokens"`
	// Deadline bounds the model's part of one answer, retries included;
	// past it the answer is extracted instead.
	Deadline Duration `yaml:"deadline"`
	// CacheTTL is how long an answer is reused; 0s disables the cache.
	CacheTTL Duration `yaml:"cache_ttl"`
	// PromptsDir holds templates that replace the built-in ones.
	PromptsDir string `yaml:"prompts_dir"`
}

// MetricsConfig is the local HTTP listener for /healthz, /readyz and
// /metrics.
type MetricsConfig struct {
	// Listen is its address, such as 127.0.0.1:9090; empty (the default)
	// serves nothing.
	Listen string `yaml:"listen"`
}

// LogConfig configures the logger.
type LogConfig struct {
	// Level is debug, info, warn or error.
	Level string `yaml:"level"`
	// Format is text or json.
	Format string `yaml:"format"`
}

// SearchConfig holds retrieval defaults.
type SearchConfig struct {
	// Limit is how many passages a search returns when not told.
	Limit int `yaml:"limit"`
}

// IngestConfig holds ingest limits.
type IngestConfig struct {
	// MaxFileMB is the largest single-article file or feed, in MiB.
	MaxFileMB int `yaml:"max_file_mb"`
	// FeedTimeout is how long one feed download may take.
	FeedTimeout Duration `yaml:"feed_timeout"`
}

// defaultConfig returns the configuration used when no file sets a key.
func defaultConfig() Config {
	return Config{
		Log:    LogConfig{Level: "info", Format: "text"},
		Search: SearchConfig{Limit: 5},
		Ingest: IngestConfig{MaxFileMB: 32, FeedTimeout: Duration(30 * time.Second)},
		LLM:    LLMConfig{APIType: "openai", Timeout: Duration(60 * time.Second), MaxRetries: 3},
		Answer: AnswerConfig{Passages: 8, PassageTokens: 3000, MaxAnswerTokens: 400,
			Deadline: Duration(45 * time.Second), CacheTTL: Duration(10 * time.Minute)},
		Chat: ChatConfig{FollowUpWindow: Duration(30 * time.Minute), MaxTurns: 6, UserPerMinute: 6, UserBurst: 3,
			ChannelPerMinute: 30, ChannelBurst: 10, Concurrent: 16, PerConversation: 10,
			AnswerDeadline: Duration(2 * time.Minute), CorrectionsCheck: Duration(time.Minute)},
		Discord: DiscordConfig{Token: "", Default: ChannelConfig{}},
		Slack:   SlackConfig{Mode: "socket", Listen: ":3000"},
		Digest:  DigestConfig{Grace: Duration(2 * time.Hour)},
		Feeds:   FeedsConfig{Interval: Duration(15 * time.Minute)},
	}
}

// secretKeys are the keys that hold secrets, which the file should name
// as ${ENV} rather than write out.
var secretKeys = []string{"llm.api_key", "discord.token", "slack.bot_token", "slack.app_token", "slack.signing_secret", "chat.feedback_secret"}

// loadConfig reads the config file at path over the defaults, expanding
// ${ENV} references in its string values with getenv, and validates the
// result. An empty path means the defaults alone. Errors name the key and
// its line.
func loadConfig(path string, getenv func(string) string) (Config, error) {
	cfg := defaultConfig()
	if path == "" {
		return cfg, cfg.Validate()
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return Config{}, fmt.Errorf("config: %w", err)
	}
	var doc yaml.Node
	if err := yaml.NewDecoder(bytes.NewReader(data)).Decode(&doc); err != nil && !errors.Is(err, io.EOF) {
		return Config{}, fmt.Errorf("config %s: %w", path, err)
	}
	d := decoder{getenv: getenv, lines: map[string]int{}, fromEnv: map[string]bool{}}
	if len(doc.Content) > 0 {
		d.value(doc.Content[0], reflect.ValueOf(&cfg).Elem(), "")
	}
	if len(d.errs) > 0 {
		return Config{}, fmt.Errorf("config %s: %w", path, errors.Join(d.errs...))
	}
	if err := cfg.Validate(); err != nil {
		return Config{}, fmt.Errorf("config %s: %w", path, withLines(err, d.lines))
	}
	secrets := cfg.secretsByKey()
	for _, key := range secretKeys {
		if secrets[key] != "" && !d.fromEnv[key] {
			cfg.literal = append(cfg.literal, key)
		}
	}
	sort.Strings(cfg.literal)
	return cfg, nil
}

// secretsByKey returns the secret values by their key.
func (c Config) secretsByKey() map[string]string {
	return map[string]string{
		"llm.api_key": c.LLM.APIKey, "discord.token": c.Discord.Token, "slack.bot_token": c.Slack.BotToken,
		"slack.app_token": c.Slack.AppToken, "slack.signing_secret": c.Slack.SigningSecret,
		"chat.feedback_secret": c.Chat.FeedbackSecret,
	}
}

// withLines adds to each of Validate's errors the line of its key, when
// the file sets the key.
func withLines(err error, lines map[string]int) error {
	var errs []error
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		errs = j.Unwrap()
	} else {
		errs = []error{err}
	}
	for _, e := range errs {
		var ke *keyError
		if errors.As(e, &ke) && ke.line == 0 {
			ke.line = lines[ke.key]
		}
	}
	return errors.Join(errs...)
}

// bad is a Validate error about key.
func bad(key, format string, args ...any) error {
	return &keyError{key: key, err: fmt.Errorf(format, args...)}
}

// Validate checks the configuration and names the key to fix.
func (c Config) Validate() error {
	var errs []error
	switch strings.ToLower(c.Log.Level) {
	case "debug", "info", "warn", "error":
	default:
		errs = append(errs, bad("log.level", "is %q: use debug, info, warn or error", c.Log.Level))
	}
	switch strings.ToLower(c.Log.Format) {
	case "text", "json":
	default:
		errs = append(errs, bad("log.format", "is %q: use text or json", c.Log.Format))
	}
	if c.Search.Limit < 1 || c.Search.Limit > 100 {
		errs = append(errs, bad("search.limit", "is %d: use a number from 1 to 100", c.Search.Limit))
	}
	if c.Ingest.MaxFileMB < 1 {
		errs = append(errs, bad("ingest.max_file_mb", "is %d: use a positive number of MiB", c.Ingest.MaxFileMB))
	}
	errs = append(errs, positive("ingest.feed_timeout", c.Ingest.FeedTimeout, "30s"))
	switch c.LLM.APIType {
	case "openai", "azure":
	default:
		errs = append(errs, bad("llm.api_type", "is %q: use openai (any compatible server) or azure", c.LLM.APIType))
	}
	errs = append(errs, positive("llm.timeout", c.LLM.Timeout, "60s"))
	if c.LLM.DailyTokenBudget < 0 {
		errs = append(errs, bad("llm.daily_token_budget", "is %d: use 0 (no cap) or a number of tokens", c.LLM.DailyTokenBudget))
	}
	if c.LLM.MaxRetries < 0 || c.LLM.MaxRetries > 10 {
		errs = append(errs, bad("llm.max_retries", "is %d: use 0 to 10", c.LLM.MaxRetries))
	}
	if c.LLM.Model == "" && c.LLM.BaseURL != "" {
		errs = append(errs, bad("llm.base_url", "is set but llm.model is empty: name the model (for Ollama, e.g. llama3.1)"))
	}
	if c.Answer.Passages < 1 || c.Answer.Passages > 50 {
		errs = append(errs, bad("answer.passages", "is %d: use 1 to 50", c.Answer.Passages))
	}
	if c.Answer.PassageTokens < 200 {
		errs = append(errs, bad("answer.passage_tokens", "is %d: use at least 200", c.Answer.PassageTokens))
	}
	if c.Answer.MaxAnswerTokens < 50 {
		errs = append(errs, bad("answer.max_answer_tokens", "is %d: use at least 50", c.Answer.MaxAnswerTokens))
	}
	errs = append(errs, positive("answer.deadline", c.Answer.Deadline, "45s"))
	if c.Answer.CacheTTL < 0 {
		errs = append(errs, bad("answer.cache_ttl", "is %v: use a duration such as 10m, or 0s to disable the cache", c.Answer.CacheTTL.D()))
	}
	errs = append(errs, c.validateServe()...)
	return errors.Join(errs...)
}

// positive checks that the duration at key is more than zero; example is
// a good value.
func positive(key string, d Duration, example string) error {
	if d > 0 {
		return nil
	}
	return bad(key, "is %v: use a positive duration such as %s", d.D(), example)
}
