package main

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"regexp"
	"sort"
	"strings"
	"time"

	"gopkg.in/yaml.v3"
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
	for _, s := range []string{c.LLM.APIKey, c.Discord.Token, c.Slack.BotToken, c.Slack.AppToken, c.Slack.SigningSecret} {
		if s != "" {
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
	// Timeout bounds one attempt, as a Go duration.
	Timeout string `yaml:"timeout"`
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
	Deadline string `yaml:"deadline"`
	// CacheTTL is how long an answer is reused; 0s disables the cache.
	CacheTTL string `yaml:"cache_ttl"`
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
	// FeedTimeout is how long one feed download may take, as a Go duration.
	FeedTimeout string `yaml:"feed_timeout"`
}

// defaultConfig returns the configuration used when no file sets a key.
func defaultConfig() Config {
	return Config{
		Log:    LogConfig{Level: "info", Format: "text"},
		Search: SearchConfig{Limit: 5},
		Ingest: IngestConfig{MaxFileMB: 32, FeedTimeout: "30s"},
		LLM:    LLMConfig{APIType: "openai", Timeout: "60s", MaxRetries: 3},
		Answer: AnswerConfig{Passages: 8, PassageTokens: 3000, MaxAnswerTokens: 400, Deadline: "45s", CacheTTL: "10m"},
		Chat: ChatConfig{FollowUpWindow: "30m", MaxTurns: 6, UserPerMinute: 6, UserBurst: 3, ChannelPerMinute: 30,
			ChannelBurst: 10, Concurrent: 16, PerConversation: 10, AnswerDeadline: "2m"},
		Discord: DiscordConfig{Token: "", Default: ChannelConfig{}},
		Slack:   SlackConfig{Mode: "socket", Listen: ":3000"},
		Digest:  DigestConfig{Grace: "2h"},
		Feeds:   FeedsConfig{Interval: "15m"},
	}
}

// envRef matches ${NAME}, the only form of environment reference expanded
// in the config file, so that a literal $ in a value needs no escaping.
var envRef = regexp.MustCompile(`\$\{([A-Za-z_][A-Za-z0-9_]*)\}`)

// loadConfig reads the config file at path over the defaults, expanding
// ${ENV} references with getenv, and validates the result. An empty path
// means the defaults alone.
func loadConfig(path string, getenv func(string) string) (Config, error) {
	cfg := defaultConfig()
	if path == "" {
		return cfg, cfg.Validate()
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return Config{}, fmt.Errorf("config: %w", err)
	}
	// A reference to an unset variable expands to "": the component that
	// needs the secret says which key is empty when it starts.
	expanded := envRef.ReplaceAllStringFunc(string(data), func(m string) string {
		return getenv(envRef.FindStringSubmatch(m)[1])
	})
	dec := yaml.NewDecoder(bytes.NewReader([]byte(expanded)))
	dec.KnownFields(true)
	if err := dec.Decode(&cfg); err != nil && !errors.Is(err, io.EOF) {
		return Config{}, fmt.Errorf("config %s: %w (config.example.yaml lists every key)", path, err)
	}
	if err := cfg.Validate(); err != nil {
		return Config{}, fmt.Errorf("config %s: %w", path, err)
	}
	for key, v := range map[string]string{
		"llm.api_key": cfg.LLM.APIKey, "discord.token": cfg.Discord.Token, "slack.bot_token": cfg.Slack.BotToken,
		"slack.app_token": cfg.Slack.AppToken, "slack.signing_secret": cfg.Slack.SigningSecret,
	} {
		if v != "" && strings.Contains(string(data), v) {
			cfg.literal = append(cfg.literal, key)
		}
	}
	sort.Strings(cfg.literal)
	return cfg, nil
}

// Validate checks the configuration and names the key to fix.
func (c Config) Validate() error {
	var errs []error
	switch strings.ToLower(c.Log.Level) {
	case "debug", "info", "warn", "error":
	default:
		errs = append(errs, fmt.Errorf("log.level is %q: use debug, info, warn or error", c.Log.Level))
	}
	switch strings.ToLower(c.Log.Format) {
	case "text", "json":
	default:
		errs = append(errs, fmt.Errorf("log.format is %q: use text or json", c.Log.Format))
	}
	if c.Search.Limit < 1 || c.Search.Limit > 100 {
		errs = append(errs, fmt.Errorf("search.limit is %d: use a number from 1 to 100", c.Search.Limit))
	}
	if c.Ingest.MaxFileMB < 1 {
		errs = append(errs, fmt.Errorf("ingest.max_file_mb is %d: use a positive number of MiB", c.Ingest.MaxFileMB))
	}
	if _, err := parseDuration(c.Ingest.FeedTimeout); err != nil {
		errs = append(errs, fmt.Errorf("ingest.feed_timeout: %w", err))
	}
	switch c.LLM.APIType {
	case "openai", "azure":
	default:
		errs = append(errs, fmt.Errorf("llm.api_type is %q: use openai (any compatible server) or azure", c.LLM.APIType))
	}
	if _, err := parseDuration(c.LLM.Timeout); err != nil {
		errs = append(errs, fmt.Errorf("llm.timeout: %w", err))
	}
	if c.LLM.DailyTokenBudget < 0 {
		errs = append(errs, fmt.Errorf("llm.daily_token_budget is %d: use 0 (no cap) or a number of tokens", c.LLM.DailyTokenBudget))
	}
	if c.LLM.MaxRetries < 0 || c.LLM.MaxRetries > 10 {
		errs = append(errs, fmt.Errorf("llm.max_retries is %d: use 0 to 10", c.LLM.MaxRetries))
	}
	if c.LLM.Model == "" && c.LLM.BaseURL != "" {
		errs = append(errs, errors.New("llm.base_url is set but llm.model is empty: name the model (for Ollama, e.g. llama3.1)"))
	}
	if c.Answer.Passages < 1 || c.Answer.Passages > 50 {
		errs = append(errs, fmt.Errorf("answer.passages is %d: use 1 to 50", c.Answer.Passages))
	}
	if c.Answer.PassageTokens < 200 {
		errs = append(errs, fmt.Errorf("answer.passage_tokens is %d: use at least 200", c.Answer.PassageTokens))
	}
	if c.Answer.MaxAnswerTokens < 50 {
		errs = append(errs, fmt.Errorf("answer.max_answer_tokens is %d: use at least 50", c.Answer.MaxAnswerTokens))
	}
	if _, err := parseDuration(c.Answer.Deadline); err != nil {
		errs = append(errs, fmt.Errorf("answer.deadline: %w", err))
	}
	if d, err := time.ParseDuration(c.Answer.CacheTTL); err != nil || d < 0 {
		errs = append(errs, fmt.Errorf("answer.cache_ttl is %q: use a duration such as 10m, or 0s to disable the cache", c.Answer.CacheTTL))
	}
	errs = append(errs, c.validateServe()...)
	return errors.Join(errs...)
}
