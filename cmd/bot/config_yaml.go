package main

import (
	"errors"
	"fmt"
	"reflect"
	"regexp"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"
)

// This file holds the config file's value types, each checked as it is
// read so that the wiring never parses a config string again, and the
// decoder that reads the file key by key: it knows each key's name and
// line for its errors, and expands ${ENV} references only inside string
// values that YAML has already read, so that a secret cannot change the
// file's structure.

// Duration is a Go duration in the config file, such as 30s or 2m.
type Duration time.Duration

// UnmarshalYAML reads a duration.
func (d *Duration) UnmarshalYAML(n *yaml.Node) error {
	v, err := time.ParseDuration(n.Value)
	if n.Kind != yaml.ScalarNode || err != nil {
		return fmt.Errorf("%s is not a duration: use a value such as 30s or 2m", quoted(n))
	}
	*d = Duration(v)
	return nil
}

// D returns the duration as a time.Duration.
func (d Duration) D() time.Duration { return time.Duration(d) }

// ClockTime is a time of day in the config file, HH:MM.
type ClockTime struct {
	Hour, Minute int
	// set is false when the file gives no time.
	set bool
}

// UnmarshalYAML reads HH:MM.
func (c *ClockTime) UnmarshalYAML(n *yaml.Node) error {
	t, err := time.Parse("15:04", n.Value)
	if n.Kind != yaml.ScalarNode || err != nil {
		return fmt.Errorf("%s is not a time of day: use HH:MM, such as \"08:00\"", quoted(n))
	}
	*c = ClockTime{Hour: t.Hour(), Minute: t.Minute(), set: true}
	return nil
}

// Weekday is a day of the week in the config file: mon, tue … sun, or the
// day's full English name, in any case.
type Weekday time.Weekday

// UnmarshalYAML reads a weekday.
func (w *Weekday) UnmarshalYAML(n *yaml.Node) error {
	s := strings.ToLower(n.Value)
	if n.Kind == yaml.ScalarNode && len(s) >= 3 {
		for d := time.Sunday; d <= time.Saturday; d++ {
			if strings.HasPrefix(strings.ToLower(d.String()), s) {
				*w = Weekday(d)
				return nil
			}
		}
	}
	return fmt.Errorf("%s is not a weekday: use mon, tue, wed, thu, fri, sat or sun", quoted(n))
}

// TimeZone is an IANA time zone name in the config file, such as
// Europe/London. The zero TimeZone is UTC.
type TimeZone struct{ loc *time.Location }

// UnmarshalYAML loads the named zone.
func (z *TimeZone) UnmarshalYAML(n *yaml.Node) error {
	loc, err := time.LoadLocation(n.Value)
	if n.Kind != yaml.ScalarNode || err != nil {
		return fmt.Errorf("%s is not a time zone: use an IANA name such as Europe/London", quoted(n))
	}
	*z = TimeZone{loc: loc}
	return nil
}

// Location returns the zone; UTC when none was given.
func (z TimeZone) Location() *time.Location {
	if z.loc == nil {
		return time.UTC
	}
	return z.loc
}

// quoted quotes a value for an error message.
func quoted(n *yaml.Node) string {
	if n.Kind != yaml.ScalarNode {
		return "a " + kindName(n.Kind)
	}
	return fmt.Sprintf("%q", n.Value)
}

func kindName(k yaml.Kind) string {
	switch k {
	case yaml.MappingNode:
		return "mapping"
	case yaml.SequenceNode:
		return "list"
	default:
		return "value"
	}
}

// envRef matches ${NAME}, the only form of environment reference expanded
// in the config file, so that a literal $ in a value needs no escaping.
var envRef = regexp.MustCompile(`\$\{([A-Za-z_][A-Za-z0-9_]*)\}`)

// keyError is a config error about one key; line is where the key is in
// the file, 0 when it is not there (a default).
type keyError struct {
	key  string
	line int
	err  error
}

func (e *keyError) Error() string {
	if e.line > 0 {
		return fmt.Sprintf("line %d: %s: %v", e.line, e.key, e.err)
	}
	return fmt.Sprintf("%s: %v", e.key, e.err)
}

func (e *keyError) Unwrap() error { return e.err }

// decoder reads a parsed config file into a Config, key by key.
type decoder struct {
	getenv func(string) string
	errs   []error
	// lines are the keys found in the file and their lines.
	lines map[string]int
	// fromEnv are the keys whose value names an environment variable.
	fromEnv map[string]bool
}

func (d *decoder) fail(key string, n *yaml.Node, err error) {
	d.errs = append(d.errs, &keyError{key: key, line: n.Line, err: err})
}

var unmarshalerType = reflect.TypeFor[yaml.Unmarshaler]()

// value decodes n into v, the field for key. Structs, maps of structs
// and lists are walked key by key and item by item, so that an error
// names the key, and the item, at fault; anything else is decoded by YAML,
// strings once their references are expanded.
func (d *decoder) value(n *yaml.Node, v reflect.Value, key string) {
	if n.Kind == yaml.AliasNode && n.Alias != nil {
		n = n.Alias
	}
	t := v.Type()
	walk := func(t reflect.Type) bool {
		return t.Kind() == reflect.Struct && !reflect.PointerTo(t).Implements(unmarshalerType)
	}
	null := n.Kind == yaml.ScalarNode && n.ShortTag() == "!!null"
	switch {
	case walk(t):
		if null { // an empty section keeps its defaults
			return
		}
		if n.Kind != yaml.MappingNode {
			d.fail(key, n, fmt.Errorf("is %s: want a mapping of keys (config.example.yaml lists them)", quoted(n)))
			return
		}
		d.mapping(n, v, key)
	case t.Kind() == reflect.Map && walk(t.Elem()):
		if !d.fills(n, v, key, yaml.MappingNode, "a mapping of ids") {
			return
		}
		m := reflect.MakeMapWithSize(t, len(n.Content)/2)
		for i := 0; i+1 < len(n.Content); i += 2 {
			k := n.Content[i]
			elem := reflect.New(t.Elem()).Elem()
			d.value(n.Content[i+1], elem, key+"."+k.Value)
			m.SetMapIndex(reflect.ValueOf(k.Value).Convert(t.Key()), elem)
		}
		v.Set(m)
	case t.Kind() == reflect.Slice:
		if !d.fills(n, v, key, yaml.SequenceNode, "a list") {
			return
		}
		s := reflect.MakeSlice(t, len(n.Content), len(n.Content))
		for i, item := range n.Content {
			d.value(item, s.Index(i), fmt.Sprintf("%s[%d]", key, i))
		}
		v.Set(s)
	default:
		if t.Kind() == reflect.String {
			n = d.expand(n, key)
		}
		if err := n.Decode(v.Addr().Interface()); err != nil {
			d.fail(key, n, plainError(err))
		}
	}
}

// fills reports whether n, of the kind a map or list v needs, is to be
// read into v: an empty value empties v, and another kind is an error.
func (d *decoder) fills(n *yaml.Node, v reflect.Value, key string, kind yaml.Kind, want string) bool {
	switch {
	case n.Kind == yaml.ScalarNode && n.ShortTag() == "!!null":
		v.SetZero()
		return false
	case n.Kind != kind:
		d.fail(key, n, fmt.Errorf("is %s: want %s", quoted(n), want))
		return false
	}
	return true
}

// mapping decodes the keys of n into the struct v, whose fields name
// their keys in yaml tags.
func (d *decoder) mapping(n *yaml.Node, v reflect.Value, prefix string) {
	fields := map[string]int{}
	for i := range v.NumField() {
		if name, _, _ := strings.Cut(v.Type().Field(i).Tag.Get("yaml"), ","); name != "" && name != "-" {
			fields[name] = i
		}
	}
	seen := map[string]int{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, val := n.Content[i], n.Content[i+1]
		if k.ShortTag() == "!!merge" { // <<: *anchor takes the anchor's keys
			targets := []*yaml.Node{val}
			if val.Kind == yaml.SequenceNode {
				targets = val.Content
			}
			for _, t := range targets {
				if t.Kind == yaml.AliasNode && t.Alias != nil {
					t = t.Alias
				}
				if t.Kind == yaml.MappingNode {
					d.mapping(t, v, prefix)
				}
			}
			continue
		}
		key := k.Value
		if prefix != "" {
			key = prefix + "." + k.Value
		}
		f, ok := fields[k.Value]
		if !ok {
			d.fail(key, k, errors.New("is not a key (config.example.yaml lists every key)"))
			continue
		}
		if line, dup := seen[k.Value]; dup {
			d.fail(key, k, fmt.Errorf("is given twice, here and on line %d", line))
			continue
		}
		seen[k.Value] = k.Line
		d.lines[key] = k.Line
		d.value(val, v.Field(f), key)
	}
}

// expand returns a copy of the scalar n with the ${NAME} references in
// its string value replaced. The value is already read, so whatever a
// variable holds (quotes, colons, newlines) stays inside it. Only values
// decoded into strings are expanded, so that an error about a number or a
// duration never shows what a variable holds.
func (d *decoder) expand(n *yaml.Node, key string) *yaml.Node {
	if n.Kind != yaml.ScalarNode || n.ShortTag() != "!!str" || !envRef.MatchString(n.Value) {
		return n
	}
	d.fromEnv[key] = true
	c := *n
	// A reference to an unset variable expands to "": the component that
	// needs the secret says which key is empty when it starts.
	c.Value = envRef.ReplaceAllStringFunc(n.Value, func(m string) string {
		return d.getenv(envRef.FindStringSubmatch(m)[1])
	})
	return &c
}

// yamlLine is the "line N: " YAML puts before each of its type errors;
// the decoder says the line itself, with the key.
var yamlLine = regexp.MustCompile(`^line \d+: `)

// yamlType matches YAML's type error, to say it in the config's words.
var yamlType = regexp.MustCompile("^cannot unmarshal !!\\w+ `(.*)` into (\\S+)$")

// wanted says, in words, what a Go type in Config takes.
var wanted = map[string]string{
	"int": "a whole number", "int64": "a whole number", "float32": "a number", "float64": "a number",
	"bool": "true or false", "*bool": "true or false", "string": "a text value", "[]string": "a list, such as [a, b]",
}

// plainError returns YAML's decoding error without its own line numbers,
// in the config's words where it can.
func plainError(err error) error {
	var te *yaml.TypeError
	if !errors.As(err, &te) {
		return err
	}
	msgs := make([]string, len(te.Errors))
	for i, e := range te.Errors {
		e = yamlLine.ReplaceAllString(e, "")
		if m := yamlType.FindStringSubmatch(e); m != nil && wanted[m[2]] != "" {
			e = fmt.Sprintf("%q is not %s", m[1], wanted[m[2]])
		}
		msgs[i] = e
	}
	return errors.New(strings.Join(msgs, "; "))
}
