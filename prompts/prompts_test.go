package prompts

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestEmbeddedTemplatesRender(t *testing.T) {
	s, err := Load("")
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{AnswerSystem, AnswerUser, DigestSystem, DigestUser}, s.Names()); diff != "" {
		t.Errorf("names (-want +got):\n%s", diff)
	}
	// A template asking for a field the data lacks fails loudly instead
	// of rendering "<no value>" into a prompt.
	if _, err := s.Render(AnswerSystem, map[string]any{}); err == nil {
		t.Error("rendering with missing fields succeeded")
	}
}

func TestOverrideFolder(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "answer_system.tmpl"), []byte("Be brief. {{.Today}}"), 0o644); err != nil {
		t.Fatal(err)
	}
	s, err := Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	got, err := s.Render(AnswerSystem, map[string]any{"Today": "Monday"})
	if err != nil || got != "Be brief. Monday" {
		t.Errorf("override rendered %q, %v", got, err)
	}
	if diff := cmp.Diff([]string{AnswerSystem}, s.Overridden()); diff != "" {
		t.Errorf("overridden (-want +got):\n%s", diff)
	}

	if err := os.WriteFile(filepath.Join(dir, "answer_sytem.tmpl"), []byte("typo"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := Load(dir); err == nil || !strings.Contains(err.Error(), "names no template") {
		t.Errorf("a misspelt override: err = %v, want it named", err)
	}
	if _, err := Load(filepath.Join(dir, "missing")); err == nil || !strings.Contains(err.Error(), "answer.prompts_dir") {
		t.Errorf("a missing folder: err = %v, want the config key named", err)
	}
	bad := t.TempDir()
	if err := os.WriteFile(filepath.Join(bad, "answer_user.tmpl"), []byte("{{.Question"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := Load(bad); err == nil {
		t.Error("a broken template loaded")
	}
}
