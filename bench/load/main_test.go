package main

import (
	"bytes"
	"context"
	"strings"
	"testing"
)

// A small load run through both platforms passes its own checks, so that
// the benchmark cannot rot unnoticed between the runs recorded in
// bench/RESULTS.md. It measures nothing.
func TestSmallLoadRun(t *testing.T) {
	var out, errOut bytes.Buffer
	err := run(context.Background(), []string{"-questions", "40", "-channels", "4", "-articles", "30", "-llm-min", "20ms", "-llm-max", "60ms"}, &out, &errOut)
	if err != nil {
		t.Fatalf("load run: %v\n%s\n%s", err, out.String(), errOut.String())
	}
	for _, want := range []string{"**40 of 40**", "**20 of 20**", "#### discord", "#### slack"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("the report lacks %q:\n%s", want, out.String())
		}
	}
}
