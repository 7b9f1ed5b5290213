package llm

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"

	"github.com/sashabaranov/go-openai"
)

// chatAPI is the part of go-openai that Client uses. The real implementation
// is sdkAPI; tests substitute a fake to reach error paths that a real server
// cannot easily produce.
type chatAPI interface {
	CreateChatCompletion(ctx context.Context, req openai.ChatCompletionRequest) (openai.ChatCompletionResponse, error)
	CreateChatCompletionStream(ctx context.Context, req openai.ChatCompletionRequest) (chatStream, error)
}

// chatStream is the part of *openai.ChatCompletionStream that Client uses.
type chatStream interface {
	Recv() (openai.ChatCompletionStreamResponse, error)
	Close() error
}

// sdkAPI adapts *openai.Client to chatAPI.
type sdkAPI struct {
	client *openai.Client
}

func (s sdkAPI) CreateChatCompletion(ctx context.Context, req openai.ChatCompletionRequest) (openai.ChatCompletionResponse, error) {
	return s.client.CreateChatCompletion(ctx, req)
}

func (s sdkAPI) CreateChatCompletionStream(ctx context.Context, req openai.ChatCompletionRequest) (chatStream, error) {
	// go-openai returns a non-nil stream with a nil response on error, whose
	// Close would panic; return a nil interface instead.
	stream, err := s.client.CreateChatCompletionStream(ctx, req)
	if err != nil {
		return nil, err
	}
	return stream, nil
}

// exchange records the HTTP side of one attempt. go-openai turns a failed
// response into an *openai.APIError or *openai.RequestError and drops its
// headers, so without this the Retry-After header would be lost, and an error
// from the network could not be told from one in decoding.
//
// Each attempt gets its own exchange through its context, so concurrent calls
// never see each other's headers. http.Client.Do runs in the goroutine that
// called go-openai, so the fields are written before go-openai returns and
// need no lock.
type exchange struct {
	sent   bool        // an HTTP request was sent
	status int         // status code of the response, 0 if none arrived
	header http.Header // headers of the response, nil if none arrived
	err    error       // error from http.Client.Do, if any

	// zeroTemperature asks for "temperature": 0 to be added to the body,
	// because go-openai leaves a zero temperature out (omitempty), and the
	// server would then use its own default, usually 0.7 to 1.
	zeroTemperature bool
}

type exchangeKey struct{}

func withExchange(ctx context.Context, ex *exchange) context.Context {
	return context.WithValue(ctx, exchangeKey{}, ex)
}

func exchangeFrom(ctx context.Context) *exchange {
	ex, _ := ctx.Value(exchangeKey{}).(*exchange)
	return ex
}

// recordingDoer is the openai.HTTPDoer given to go-openai. It sends requests
// with the caller's *http.Client, which it leaves untouched, and records each
// response in the exchange found in the request's context.
type recordingDoer struct {
	client *http.Client
}

func (d recordingDoer) Do(req *http.Request) (*http.Response, error) {
	ex := exchangeFrom(req.Context())
	if ex == nil {
		return d.client.Do(req)
	}
	if ex.zeroTemperature {
		var err error
		if req, err = setZeroTemperature(req); err != nil {
			return nil, err
		}
	}
	ex.sent = true
	resp, err := d.client.Do(req)
	ex.err = err
	if resp != nil {
		ex.status = resp.StatusCode
		ex.header = resp.Header
	}
	return resp, err
}

// setZeroTemperature returns req with "temperature": 0 in its JSON body
// unless the body already sets a temperature.
func setZeroTemperature(req *http.Request) (*http.Request, error) {
	if req.Body == nil {
		return req, nil
	}
	body, err := io.ReadAll(req.Body)
	req.Body.Close()
	if err != nil {
		return nil, fmt.Errorf("reading request body: %w", err)
	}
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(body, &fields); err != nil {
		return nil, fmt.Errorf("decoding request body: %w", err)
	}
	if _, ok := fields["temperature"]; !ok {
		fields["temperature"] = json.RawMessage("0")
		if body, err = json.Marshal(fields); err != nil {
			return nil, fmt.Errorf("encoding request body: %w", err)
		}
	}
	req = req.Clone(req.Context())
	req.Body = io.NopCloser(bytes.NewReader(body))
	req.ContentLength = int64(len(body))
	req.GetBody = func() (io.ReadCloser, error) {
		return io.NopCloser(bytes.NewReader(body)), nil
	}
	return req, nil
}
