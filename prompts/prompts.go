// Package prompts holds the templates Byline sends to language models,
// embedded in the binary and overridable, one file at a time, from a folder
// named in the config.
package prompts

import (
	"bytes"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"text/template"
)

//go:embed templates/*.tmpl
var embedded embed.FS

// Names of the templates a Set holds.
const (
	AnswerSystem = "answer_system"
	AnswerUser   = "answer_user"
	DigestSystem = "digest_system"
	DigestUser   = "digest_user"
)

// Set is a loaded set of prompt templates. It is safe for concurrent use.
type Set struct {
	templates map[string]*template.Template
	overrides []string
}

// Load parses the embedded templates and, when dir is not empty, replaces
// each one for which dir holds a file of the same name (answer_system.tmpl,
// answer_user.tmpl). A file in dir that names no template is an error, so
// a typo does not silently fall back to the default.
func Load(dir string) (*Set, error) {
	s := &Set{templates: make(map[string]*template.Template)}
	names, err := fs.Glob(embedded, "templates/*.tmpl")
	if err != nil {
		return nil, err
	}
	for _, name := range names {
		body, err := embedded.ReadFile(name)
		if err != nil {
			return nil, err
		}
		if err := s.parse(strings.TrimSuffix(filepath.Base(name), ".tmpl"), string(body)); err != nil {
			return nil, err
		}
	}
	if dir == "" {
		return s, nil
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("prompts: %w (check answer.prompts_dir)", err)
	}
	for _, e := range entries {
		if e.IsDir() || !strings.HasSuffix(e.Name(), ".tmpl") {
			continue
		}
		name := strings.TrimSuffix(e.Name(), ".tmpl")
		if _, ok := s.templates[name]; !ok {
			return nil, fmt.Errorf("prompts: %s names no template; the templates are %s",
				filepath.Join(dir, e.Name()), strings.Join(s.Names(), ", "))
		}
		body, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			return nil, fmt.Errorf("prompts: %w", err)
		}
		if err := s.parse(name, string(body)); err != nil {
			return nil, err
		}
		s.overrides = append(s.overrides, name)
	}
	return s, nil
}

func (s *Set) parse(name, body string) error {
	t, err := template.New(name).Option("missingkey=error").Parse(body)
	if err != nil {
		return fmt.Errorf("prompts: %s: %w", name, err)
	}
	s.templates[name] = t
	return nil
}

// Names lists the templates, sorted.
func (s *Set) Names() []string {
	names := make([]string, 0, len(s.templates))
	for n := range s.templates {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// Overridden lists the templates that came from the override folder.
func (s *Set) Overridden() []string {
	return append([]string(nil), s.overrides...)
}

// Render executes the named template with data.
func (s *Set) Render(name string, data any) (string, error) {
	t, ok := s.templates[name]
	if !ok {
		return "", errors.New("prompts: no template " + name)
	}
	var b bytes.Buffer
	if err := t.Execute(&b, data); err != nil {
		return "", fmt.Errorf("prompts: %s: %w", name, err)
	}
	return b.String(), nil
}
