package llm_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"

	"github.com/byline-bot/byline/llm"
)

func ExampleClient_Stream() {
	// A stand-in for an OpenAI-compatible server such as Ollama.
	server := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/event-stream")
		for _, piece := range []string{"Paris ", "is the capital ", "[1]."} {
			fmt.Fprintf(w, "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":%q}}]}\n\n", piece)
		}
		fmt.Fprint(w, "data: {\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}]}\n\n")
		fmt.Fprint(w, "data: [DONE]\n\n")
	}))
	defer server.Close()

	client, err := llm.New(llm.Options{BaseURL: server.URL + "/v1", Model: "llama3.1"})
	if err != nil {
		fmt.Println(err)
		return
	}
	resp, err := client.Stream(context.Background(), llm.Request{Messages: []llm.Message{
		{Role: llm.RoleSystem, Content: "Answer from the passages and cite them."},
		{Role: llm.RoleUser, Content: "What is the capital of France?"},
	}}, func(delta string) {
		fmt.Printf("delta %q\n", delta)
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("%s (%s, %d+%d tokens, estimated: %v)\n",
		resp.Text, resp.FinishReason, resp.PromptTokens, resp.CompletionTokens, resp.TokensEstimated)
	// Output:
	// delta "Paris "
	// delta "is the capital "
	// delta "[1]."
	// Paris is the capital [1]. (stop, 26+7 tokens, estimated: true)
}
