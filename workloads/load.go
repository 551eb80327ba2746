package workloads

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"reflect"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"
)

// Source is where a config came from: its file name and parsed YAML tree,
// used to point errors at lines.
type Source struct {
	File string
	root *yaml.Node
}

// Load reads, defaults and validates the config in file. Every problem is
// reported (as Errors) with the file and line, before anything starts.
func Load(file string) (*Config, *Source, error) {
	data, err := os.ReadFile(file)
	if err != nil {
		return nil, nil, fmt.Errorf("read config: %w", err)
	}
	return Parse(file, data)
}

// Parse is Load from bytes; file names the source in errors.
func Parse(file string, data []byte) (*Config, *Source, error) {
	src := &Source{File: file}
	var root yaml.Node
	if err := yaml.Unmarshal(data, &root); err != nil {
		return nil, nil, src.yamlErr(err)
	}
	if root.Kind == 0 || len(root.Content) == 0 {
		return nil, nil, Errors{{File: file, Msg: "empty config"}}
	}
	if root.Content[0].Kind != yaml.MappingNode {
		return nil, nil, Errors{{File: file, Line: root.Content[0].Line, Msg: "a config is a mapping of keys (name, backend, workload, ...)"}}
	}
	src.root = &root
	var c Config
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&c); err != nil && !errors.Is(err, io.EOF) {
		return nil, nil, src.yamlErr(err)
	}
	var next yaml.Node
	if err := dec.Decode(&next); err == nil && !emptyDocument(&next) {
		return nil, nil, Errors{{File: file, Line: next.Content[0].Line,
			Msg: "a second YAML document: a config file holds one (remove the \"---\" and what follows, or merge the two)"}}
	} else if err != nil && !errors.Is(err, io.EOF) {
		return nil, nil, src.yamlErr(err)
	}
	if c.Compare != nil {
		if err := checkCaseKeys(src, c.Compare); err != nil {
			return nil, nil, err
		}
	}
	if err := src.fill(&c); err != nil {
		return nil, nil, err
	}
	if err := c.Validate(); err != nil {
		return nil, nil, src.Locate(err)
	}
	return &c, src, nil
}

// emptyDocument reports whether a YAML document holds nothing (what a
// trailing "---" makes).
func emptyDocument(n *yaml.Node) bool {
	return len(n.Content) == 0 || (len(n.Content) == 1 && n.Content[0].Tag == "!!null" && n.Content[0].Value == "")
}

// Locate fills in the file and line of every FieldError in err, from the
// config's YAML tree; a field that is not written in the file (a default)
// points at its nearest written parent. Other errors pass through.
func (s *Source) Locate(err error) error {
	fields := Fields(err)
	if s == nil || fields == nil {
		return err
	}
	for _, f := range fields {
		f.File = s.File
		if s.root != nil {
			f.Line = s.line(f.Path)
		}
	}
	return err
}

var segment = regexp.MustCompile(`^([^\[\]]+)((?:\[\d+\])*)$`)

// line finds the line of the node at path ("phases[1].rate").
func (s *Source) line(path string) int {
	n := s.root.Content[0]
	line := n.Line
	for _, part := range strings.Split(path, ".") {
		m := segment.FindStringSubmatch(part)
		if m == nil {
			return line
		}
		k, v := lookup(n, m[1])
		if v == nil {
			return line
		}
		n, line = v, k.Line
		for _, idx := range regexp.MustCompile(`\d+`).FindAllString(m[2], -1) {
			i, _ := strconv.Atoi(idx)
			if n.Kind != yaml.SequenceNode || i >= len(n.Content) {
				return line
			}
			n = n.Content[i]
			line = n.Line
		}
	}
	return line
}

func lookup(n *yaml.Node, key string) (k, v *yaml.Node) {
	if n.Kind != yaml.MappingNode {
		return nil, nil
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == key {
			return n.Content[i], n.Content[i+1]
		}
	}
	return nil, nil
}

var (
	lineMsg    = regexp.MustCompile(`^line (\d+): (.*)$`)
	notFound   = regexp.MustCompile(`^field (\S+) not found in type (\S+)$`)
	cannotInto = regexp.MustCompile("^cannot unmarshal !!(\\w+)(?: `(.*)`)? into (\\S+)$")
)

// yamlErr turns yaml.v3's errors into located FieldErrors with plainer
// messages.
func (s *Source) yamlErr(err error) error {
	var te *yaml.TypeError
	var msgs []string
	if errors.As(err, &te) {
		msgs = te.Errors
	} else {
		msgs = []string{strings.TrimPrefix(err.Error(), "yaml: ")}
	}
	var out Errors
	for _, m := range msgs {
		fe := &FieldError{File: s.File, Msg: m}
		if sm := lineMsg.FindStringSubmatch(m); sm != nil {
			fe.Line, _ = strconv.Atoi(sm[1])
			fe.Msg = plain(sm[2])
		}
		out = append(out, fe)
	}
	return out
}

func plain(msg string) string {
	if m := notFound.FindStringSubmatch(msg); m != nil {
		keys := knownKeys(m[2])
		if len(keys) == 0 {
			return fmt.Sprintf("unknown key %q", m[1])
		}
		return fmt.Sprintf("unknown key %q (known here: %s)", m[1], strings.Join(keys, ", "))
	}
	if m := cannotInto.FindStringSubmatch(msg); m != nil {
		want := m[3]
		switch {
		case strings.HasPrefix(want, "int"):
			want = "an integer"
		case strings.HasPrefix(want, "float"):
			want = "a number"
		case want == "bool":
			want = "true or false"
		case want == "string":
			want = "a string"
		case strings.HasPrefix(want, "[]"):
			want = "a list"
		case strings.HasPrefix(want, "map"), strings.HasPrefix(want, "workloads."):
			want = "a mapping"
		}
		kind := m[1]
		if kind == "seq" {
			return fmt.Sprintf("a list where %s is wanted", want)
		}
		if kind == "map" {
			return fmt.Sprintf("a mapping where %s is wanted", want)
		}
		return fmt.Sprintf("%q is not %s", m[2], want)
	}
	return msg
}

// configTypes indexes the config's types by the name yaml.v3 gives them in
// its errors ("workloads.Workload"). It is built once and never changed.
var configTypes = typesByName(Config{}, Backend{}, Workload{}, Mix{}, Hotspot{}, Phase{}, Check{}, Job{}, Compare{}, CompareCase{}, Bare{})

func typesByName(vs ...any) map[string]reflect.Type {
	m := make(map[string]reflect.Type, len(vs))
	for _, v := range vs {
		t := reflect.TypeOf(v)
		m[t.String()] = t
	}
	return m
}

// knownKeys lists the YAML keys of a config type named as yaml.v3 names it
// ("workloads.Workload").
func knownKeys(typeName string) []string {
	t, ok := configTypes[typeName]
	if !ok {
		return nil
	}
	var keys []string
	for i := 0; i < t.NumField(); i++ {
		tag, _, _ := strings.Cut(t.Field(i).Tag.Get("yaml"), ",")
		if tag != "" && tag != "-" {
			keys = append(keys, tag)
		}
	}
	sort.Strings(keys)
	return keys
}
