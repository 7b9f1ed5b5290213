// Command bench measures Byline's retrieval quality and speed against the
// baselines the issues name, and prints Markdown for bench/RESULTS.md.
//
// It reads the data sets from ../shared (run it from the repository root):
//
//	go run ./bench -squad          # retrieval quality on SQuAD v1.1 dev
//	go run ./bench -reuters        # ingest and query speed on Reuters-21578
//	go run ./bench -million        # query speed on a 1-million-paragraph corpus
//	go run ./bench -answer         # the answer engine's own time, prompt tokens
//	go run ./bench -digest         # building a digest over the busiest Reuters day
//	go run ./bench -paraphrase     # the story's paraphrase set and public questions, extractive, beside a baseline
//	go run ./bench -fit-rank       # fit the re-ranker's weights into search/weights.go
//
// The store's query bounds can be overridden to explore them:
//
//	go run ./bench -reuters -common-term-docs 5000 -query-postings 5000
//
// The plain FTS5 baseline is built in the same run on the same machine; the
// benchmark opens its own SQLite tables for it, which is why this program,
// and only it besides package knowledge, imports the SQLite driver.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"runtime"
	"strings"
	"time"

	"github.com/byline-bot/byline/knowledge"
	_ "modernc.org/sqlite"
)

func main() {
	var (
		squad   = flag.Bool("squad", false, "retrieval quality on SQuAD v1.1 dev")
		reuters = flag.Bool("reuters", false, "ingest and query speed on Reuters-21578")
		million = flag.Bool("million", false, "query speed on a corpus of about 1 million paragraphs")
		answers = flag.Bool("answer", false, "the answer engine's time apart from the LLM on Reuters, and prompt tokens per story question")
		digests = flag.Bool("digest", false, "time to build a digest over the busiest Reuters day")
		squadQA = flag.Bool("squad-answers", false, "answer quality on SQuAD v1.1 dev through Engine.Ask, a tenth of the articles withheld")
		fit     = flag.Bool("fit", false, "fit the extractor's model on the odd half of the SQuAD answer protocol and the story paraphrase set, and write answer/model_fitted.go")
		qaN     = flag.Int("sample", 0, "with -squad-answers: ask only this many questions (a fixed sample); 0 asks all")
		para    = flag.String("paraphrase-set", "eval/story-paraphrases.jsonl", "the story questions -paraphrase asks")
		paraOn  = flag.Bool("paraphrase", false, "the story's paraphrase set and public questions, answered extractively, beside the 20-line baseline")
		corr    = flag.Bool("corrections", false, "the correction check's cost on a re-ingest of all of Reuters with 10,000 recorded answers, against the re-ingest alone")
		fitRank = flag.Bool("fit-rank", false, "fit the re-ranker's weights on SQuAD's odd-numbered dev questions into search/weights.go")
		shared  = flag.String("shared", "../shared", "the shared data folder")
		dir     = flag.String("dir", "", "where to build the databases (default: a temporary folder, removed after)")
		common  = flag.Int("common-term-docs", benchCommonTermDocs, "knowledge.Options.CommonTermDocs for the speed runs")
		posts   = flag.Int("query-postings", benchQueryPostings, "knowledge.Options.QueryPostings for the speed runs")
	)
	flag.Parse()
	opts := knowledge.Options{CommonTermDocs: *common, QueryPostings: *posts}
	paraphrase := ""
	if *paraOn {
		paraphrase = *para
	}
	if err := runAll(context.Background(), *shared, *dir, func(ctx context.Context, dir string) error {
		if *fitRank {
			return fitRankMain(ctx, *shared, dir, opts)
		}
		if err := run(ctx, *squad, *reuters, *million, *answers, *digests, paraphrase, *shared, dir, opts); err != nil {
			return err
		}
		if *fit {
			if err := runFit(ctx, *shared, dir, opts, "answer/model_fitted.go"); err != nil {
				return err
			}
		}
		if *corr {
			out, err := runCorrections(ctx, *shared+"/corpus/reuters21578.jsonl.gz", dir, opts)
			if err != nil {
				return fmt.Errorf("corrections: %w", err)
			}
			fmt.Println(out)
		}
		if *squadQA {
			return runQA(ctx, *shared, dir, opts, *qaN)
		}
		return nil
	}); err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
}

// runAll checks that the shared data folder is there and runs fn in dir,
// or, when dir is empty, in a temporary folder it removes after: one
// scratch folder for every measurement of the run.
func runAll(ctx context.Context, shared, dir string, fn func(ctx context.Context, dir string) error) error {
	if _, err := os.Stat(shared); err != nil {
		return fmt.Errorf("the shared data folder %s is missing: run from the repository root with ../shared beside it, or pass -shared", shared)
	}
	if dir == "" {
		d, err := os.MkdirTemp("", "byline-bench-")
		if err != nil {
			return err
		}
		defer os.RemoveAll(d)
		dir = d
	}
	return fn(ctx, dir)
}

// benchCommonTermDocs and benchQueryPostings are the query bounds the speed
// runs use, the values recommended for the store's defaults.
const (
	benchCommonTermDocs = 5000
	benchQueryPostings  = 2500
)

// run runs the chosen measurements; paraphrase, when not empty, is the
// story question set -paraphrase asks.
func run(ctx context.Context, squad, reuters, million, answers, digests bool, paraphrase, shared, dir string, opts knowledge.Options) error {
	fmt.Printf("command: go run ./bench %s\n\n", strings.Join(os.Args[1:], " "))
	fmt.Printf("date %s; %s/%s, %d CPUs (%s), %s memory; %s\n\n", time.Now().UTC().Format("2006-01-02 15:04 MST"),
		runtime.GOOS, runtime.GOARCH, runtime.NumCPU(), cpuModel(), memTotal(), runtime.Version())
	if squad {
		out, err := runSQuAD(ctx, shared+"/eval/squad-dev-v1.1.json.gz", dir, opts)
		if err != nil {
			return fmt.Errorf("squad: %w", err)
		}
		fmt.Println(out)
	}
	if reuters {
		out, err := runReuters(ctx, shared+"/corpus/reuters21578.jsonl.gz", dir, opts)
		if err != nil {
			return fmt.Errorf("reuters: %w", err)
		}
		fmt.Println(out)
	}
	if answers {
		out, err := runAnswer(ctx, shared, dir, opts)
		if err != nil {
			return fmt.Errorf("answer: %w", err)
		}
		fmt.Println(out)
	}
	if digests {
		out, err := runDigest(ctx, shared, dir, opts)
		if err != nil {
			return fmt.Errorf("digest: %w", err)
		}
		fmt.Println(out)
	}
	if paraphrase != "" {
		out, err := runParaphrase(ctx, shared, paraphrase, dir, opts)
		if err != nil {
			return fmt.Errorf("paraphrase: %w", err)
		}
		fmt.Println(out)
	}
	if million {
		out, err := runMillion(ctx, shared+"/corpus/reuters21578.jsonl.gz", dir, opts)
		if err != nil {
			return fmt.Errorf("million: %w", err)
		}
		fmt.Println(out)
	}
	return nil
}

// cpuModel returns the CPU's model name from /proc/cpuinfo, or "unknown
// CPU" where there is none.
func cpuModel() string {
	data, err := os.ReadFile("/proc/cpuinfo")
	if err != nil {
		return "unknown CPU"
	}
	for line := range strings.Lines(string(data)) {
		if k, v, ok := strings.Cut(line, ":"); ok && strings.TrimSpace(k) == "model name" {
			return strings.TrimSpace(v)
		}
	}
	return "unknown CPU"
}

// memTotal returns the machine's memory from /proc/meminfo, or "unknown".
func memTotal() string {
	data, err := os.ReadFile("/proc/meminfo")
	if err != nil {
		return "unknown"
	}
	for line := range strings.Lines(string(data)) {
		if v, ok := strings.CutPrefix(line, "MemTotal:"); ok {
			var kb int64
			if _, err := fmt.Sscan(strings.TrimSuffix(strings.TrimSpace(v), " kB"), &kb); err == nil {
				return fmt.Sprintf("%.1f GiB", float64(kb)/(1<<20))
			}
		}
	}
	return "unknown"
}
