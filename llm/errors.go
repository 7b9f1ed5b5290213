package llm

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/sashabaranov/go-openai"
)

// The kinds of failure, checked with errors.Is on any error that Complete or
// Stream returns. Each such error is an *Error, whose message says which
// setting to check.
var (
	// ErrRateLimited means the server answered 429 Too Many Requests on
	// every attempt, or said the account has no quota left.
	ErrRateLimited = errors.New("rate limited")

	// ErrUnavailable means the server could not be reached, answered with a
	// server error (5xx), or broke the connection, on every attempt.
	ErrUnavailable = errors.New("server unavailable")

	// ErrTimeout means the last attempt got no complete answer within
	// Options.Timeout, or the caller's context deadline passed.
	ErrTimeout = errors.New("timed out")

	// ErrConfig means the server refused the request because of the
	// configuration: a wrong or missing API key (401, 403), an unknown
	// model or endpoint (404), or a TLS or DNS failure. Retrying does not
	// help; the message names the setting to fix.
	ErrConfig = errors.New("bad configuration")

	// ErrBadRequest means the server rejected the request itself (400, 413,
	// 422 and other 4xx), for example because the prompt is longer than the
	// model's context window.
	ErrBadRequest = errors.New("request rejected")

	// ErrEmptyResponse means the server answered but gave no usable text: no
	// choices, a body that is not valid JSON, or empty content.
	ErrEmptyResponse = errors.New("empty or malformed response")
)

// Error describes a failed call. Its message is safe to log: it never holds
// the API key, even if the server echoed it back.
type Error struct {
	// StatusCode is the HTTP status of the last response, or 0 if none
	// arrived.
	StatusCode int

	// Attempts is how many requests were sent.
	Attempts int

	// Partial reports that Stream had already passed text to onDelta when
	// the call failed, so it was not retried.
	Partial bool

	kind error  // one of the Err* values above, or nil for cancellation
	msg  string // says what failed and what to check
	err  error  // the cause, with any echoed API key removed

	retryable  bool
	retryAfter time.Duration // from Retry-After, or 0
	hasRetry   bool          // retryAfter came from the server
}

func (e *Error) Error() string {
	if e.Attempts > 1 {
		return fmt.Sprintf("%s (after %d attempts)", e.msg, e.Attempts)
	}
	return e.msg
}

// Is reports whether target is the kind of this error, so that
// errors.Is(err, llm.ErrRateLimited) works.
func (e *Error) Is(target error) bool {
	return e.kind != nil && target == e.kind
}

// Unwrap returns the cause: a context error, a network error, or go-openai's
// error with any echoed API key removed.
func (e *Error) Unwrap() error { return e.err }

// maxDetail bounds how much of a server's error text goes into a message;
// a proxy may answer with a whole HTML page.
const maxDetail = 300

// classify turns the outcome of one attempt into an *Error. attemptCtx is the
// context of the attempt, whose deadline is Options.Timeout.
func (c *Client) classify(ctx, attemptCtx context.Context, ex *exchange, err error) *Error {
	e := &Error{StatusCode: ex.status}

	// The caller gave up: stop, whatever the attempt was doing.
	if ctxErr := ctx.Err(); ctxErr != nil {
		e.err = ctxErr
		if errors.Is(ctxErr, context.DeadlineExceeded) {
			e.kind = ErrTimeout
			e.msg = "llm: the caller's deadline passed before the model answered"
		} else {
			e.msg = "llm: canceled"
		}
		return e
	}
	if status := statusOf(err); status != 0 {
		return c.classifyStatus(e, status, ex.header, err)
	}
	if attemptCtx.Err() != nil {
		e.kind, e.retryable = ErrTimeout, true
		e.err = context.DeadlineExceeded
		e.msg = fmt.Sprintf("llm: no complete answer from %s within %s: raise llm.timeout or check the server", c.endpoint, c.timeout)
		return e
	}

	switch {
	case ex.err != nil:
		// The request did not get a response.
		return c.classifyNetwork(e, ex.err)
	case ex.sent:
		// The response arrived but its body could not be read or decoded.
		var syntaxErr *json.SyntaxError
		var typeErr *json.UnmarshalTypeError
		var apiErr *openai.APIError
		switch {
		case errors.As(err, &syntaxErr), errors.As(err, &typeErr):
			e.kind, e.err = ErrEmptyResponse, err
			e.msg = fmt.Sprintf("llm: the server's answer is not valid JSON: %v: check that llm.base_url points at an OpenAI-compatible API", err)
		case errors.As(err, &apiErr):
			// An error event inside a stream.
			e.kind, e.retryable = ErrUnavailable, true
			e.err = c.redactErr(err)
			e.msg = "llm: the server reported an error while answering: " + c.detail(apiErr.Message)
		case errors.Is(err, openai.ErrTooManyEmptyStreamMessages):
			e.kind, e.err = ErrEmptyResponse, err
			e.msg = "llm: the server's stream held no data: check that llm.base_url points at an OpenAI-compatible API"
		default:
			e.kind, e.retryable, e.err = ErrUnavailable, true, err
			e.msg = fmt.Sprintf("llm: the connection to %s broke while reading the answer: %s", c.endpoint, c.detail(err.Error()))
		}
		return e
	default:
		// go-openai refused to send the request.
		e.kind, e.err = ErrConfig, err
		e.msg = fmt.Sprintf("llm: the request for model %q could not be sent: %v: check llm.model, llm.temperature and llm.max_tokens", c.model, err)
		return e
	}
}

func (c *Client) classifyStatus(e *Error, status int, header http.Header, err error) *Error {
	e.StatusCode = status
	e.err = c.redactErr(err)
	server := c.detail(serverMessage(err))
	if server != "" {
		server = ": " + server
	}
	switch {
	case status == http.StatusTooManyRequests:
		e.kind = ErrRateLimited
		if isQuotaError(err) {
			e.msg = "llm: the account has no quota left (HTTP 429)" + server + ": check billing for llm.api_key"
			return e
		}
		e.retryable = true
		e.msg = "llm: rate limited by the server (HTTP 429)" + server
	case status == http.StatusRequestTimeout:
		e.kind, e.retryable = ErrTimeout, true
		e.msg = "llm: the server timed out reading the request (HTTP 408)" + server
	case status == http.StatusInternalServerError, status == http.StatusBadGateway,
		status == http.StatusServiceUnavailable, status == http.StatusGatewayTimeout:
		e.kind, e.retryable = ErrUnavailable, true
		e.msg = fmt.Sprintf("llm: server error (HTTP %d)%s", status, server)
	case status >= 500:
		e.kind = ErrUnavailable
		e.msg = fmt.Sprintf("llm: server error (HTTP %d)%s: check that llm.base_url points at an OpenAI-compatible API", status, server)
	case status == http.StatusUnauthorized:
		e.kind = ErrConfig
		if !c.hasAPIKey {
			e.msg = "llm: the server wants an API key (HTTP 401)" + server + ": set llm.api_key"
		} else {
			e.msg = "llm: the server rejected the API key (HTTP 401)" + server + ": check llm.api_key"
		}
	case status == http.StatusForbidden:
		e.kind = ErrConfig
		e.msg = fmt.Sprintf("llm: the server refused access (HTTP 403)%s: check that llm.api_key may use model %q", server, c.model)
	case status == http.StatusNotFound:
		e.kind = ErrConfig
		if c.azure {
			e.msg = fmt.Sprintf("llm: deployment %q not found at %s (HTTP 404)%s: check llm.model (the deployment name), llm.base_url and llm.api_version", c.model, c.endpoint, server)
		} else {
			e.msg = fmt.Sprintf("llm: model %q or its endpoint not found at %s (HTTP 404)%s: check llm.model, and that llm.base_url ends in /v1 where the server needs it", c.model, c.endpoint, server)
		}
	default:
		e.kind = ErrBadRequest
		e.msg = fmt.Sprintf("llm: the server rejected the request (HTTP %d)%s: check the prompt size and llm.max_tokens", status, server)
	}
	if e.retryable && (status == http.StatusTooManyRequests || status == http.StatusServiceUnavailable) {
		e.retryAfter, e.hasRetry = retryAfter(header, time.Now())
	}
	return e
}

func (c *Client) classifyNetwork(e *Error, err error) *Error {
	e.err = err
	var dnsErr *net.DNSError
	var certErr *tls.CertificateVerificationError
	var authorityErr x509.UnknownAuthorityError
	var hostErr x509.HostnameError
	switch {
	case errors.As(err, &dnsErr) && dnsErr.IsNotFound:
		e.kind = ErrConfig
		e.msg = fmt.Sprintf("llm: host of %s not found: check llm.base_url", c.endpoint)
	case errors.As(err, &certErr), errors.As(err, &authorityErr), errors.As(err, &hostErr):
		e.kind = ErrConfig
		e.msg = fmt.Sprintf("llm: the TLS certificate of %s is not trusted: %v: check llm.base_url", c.endpoint, err)
	default:
		e.kind, e.retryable = ErrUnavailable, true
		e.msg = fmt.Sprintf("llm: cannot reach %s: %s: check llm.base_url and that the server is running", c.endpoint, c.detail(err.Error()))
	}
	return e
}

// statusOf returns the HTTP status that go-openai put in err, or 0.
func statusOf(err error) int {
	var apiErr *openai.APIError
	if errors.As(err, &apiErr) && apiErr.HTTPStatusCode != 0 {
		return apiErr.HTTPStatusCode
	}
	var reqErr *openai.RequestError
	if errors.As(err, &reqErr) && reqErr.HTTPStatusCode != 0 {
		return reqErr.HTTPStatusCode
	}
	return 0
}

// serverMessage returns what the server said about an HTTP error: the
// message of a JSON error body, or else the start of the body.
func serverMessage(err error) string {
	// A RequestError means go-openai could not decode the body as
	// {"error": {"message": ...}}; it may still hold a message in another
	// common shape.
	var reqErr *openai.RequestError
	if errors.As(err, &reqErr) {
		var body struct {
			Error   json.RawMessage `json:"error"`   // Ollama: a string
			Message string          `json:"message"` // vLLM
			Detail  any             `json:"detail"`  // FastAPI servers
		}
		if json.Unmarshal(reqErr.Body, &body) == nil {
			var s string
			if json.Unmarshal(body.Error, &s) == nil && s != "" {
				return s
			}
			if body.Message != "" {
				return body.Message
			}
			if d, ok := body.Detail.(string); ok && d != "" {
				return d
			}
		}
		return string(reqErr.Body)
	}
	var apiErr *openai.APIError
	if errors.As(err, &apiErr) {
		return apiErr.Message
	}
	return ""
}

// isQuotaError reports whether a 429 is OpenAI's "insufficient_quota", which
// lasts until someone pays, so retrying is pointless.
func isQuotaError(err error) bool {
	var apiErr *openai.APIError
	if !errors.As(err, &apiErr) {
		return false
	}
	code, _ := apiErr.Code.(string)
	return code == "insufficient_quota" || apiErr.Type == "insufficient_quota"
}

// detail prepares server-provided text for an error message: one line,
// bounded in length, with the API key removed.
func (c *Client) detail(s string) string {
	s = strings.Join(strings.Fields(c.redact(s)), " ")
	if len(s) > maxDetail {
		s = s[:maxDetail] + "…"
	}
	return s
}

// minRedactLen is the shortest API key that is searched for in server text.
// Shorter values are placeholders such as "none" or "ollama" that local
// servers ignore, and removing them would garble unrelated words.
const minRedactLen = 8

func (c *Client) redact(s string) string { return c.redactKey(s) }

// redactErr returns a copy of go-openai's error with the API key removed from
// the text the server sent, so that no error reachable through Unwrap holds
// the key.
func (c *Client) redactErr(err error) error {
	var apiErr *openai.APIError
	var reqErr *openai.RequestError
	switch {
	case errors.As(err, &reqErr):
		cp := *reqErr
		cp.Body = []byte(c.redact(string(reqErr.Body)))
		if reqErr.Err != nil {
			cp.Err = c.redactErr(reqErr.Err)
		}
		return &cp
	case errors.As(err, &apiErr):
		cp := *apiErr
		cp.Message = c.redact(apiErr.Message)
		return &cp
	case err == nil:
		return nil
	default:
		return errors.New(c.redact(err.Error()))
	}
}
