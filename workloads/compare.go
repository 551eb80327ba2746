package workloads

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"regexp"

	"gopkg.in/yaml.v3"
)

// MaxRounds bounds Compare.Rounds and CompareCase.Rounds.
const MaxRounds = 100

// Compare turns a config into a side-by-side benchmark: the same workload
// and faults run against every backend in Backends, case by case, in
// several alternating rounds (round 1 runs every backend, then round 2
// does, ...; the backend order rotates from round to round), so that slow
// drifts of the machine, such as the disk's fsync latency, do not favour
// any backend. The rest of the config is the base every run starts from.
type Compare struct {
	// Backends are the systems compared; the first is the baseline every
	// ratio refers to. Each is a backend name or a mapping like the
	// config's backend section, whose keys override the base backend.
	Backends []CompareBackend `yaml:"backends" json:"backends"`
	// Rounds is how many times each case runs on each backend (default 3).
	Rounds int `yaml:"rounds" json:"rounds"`
	// Cases are the variants compared, each a patch on the base config.
	// Without any, the base config is the one case, named "main".
	Cases []CompareCase `yaml:"cases" json:"cases,omitempty"`
}

// CompareBackend is one backend of a comparison: its name and the backend
// keys (nodes, mode, fsync, options) that differ from the base config's.
type CompareBackend struct {
	// Name is the registered backend name.
	Name string `yaml:"name" json:"name"`
	// Node is the YAML mapping written for this backend, merged over the
	// base config's backend section.
	Node yaml.Node `yaml:"-" json:"-"`
}

// UnmarshalYAML accepts a bare name or a backend mapping.
func (b *CompareBackend) UnmarshalYAML(n *yaml.Node) error {
	switch n.Kind {
	case yaml.ScalarNode:
		b.Name = n.Value
		b.Node = yaml.Node{Kind: yaml.MappingNode, Tag: "!!map", Line: n.Line, Column: n.Column, Content: []*yaml.Node{
			{Kind: yaml.ScalarNode, Tag: "!!str", Value: "name", Line: n.Line, Column: n.Column},
			{Kind: yaml.ScalarNode, Tag: "!!str", Value: n.Value, Line: n.Line, Column: n.Column},
		}}
		return nil
	case yaml.MappingNode:
		var bk Backend
		if err := strictDecode(n, &bk); err != nil {
			return err
		}
		b.Name, b.Node = bk.Name, *n
		return nil
	}
	return &yaml.TypeError{Errors: []string{fmt.Sprintf("line %d: a backend is a name or a mapping (name, nodes, mode, fsync, options)", n.Line)}}
}

// CompareCase is one variant of a comparison.
type CompareCase struct {
	// Name labels the case ("put-fsync"); letters, digits, '-' and '_'.
	Name string `yaml:"name" json:"name"`
	// Rounds overrides Compare.Rounds for this case (for example one long
	// run under faults beside several short speed rounds).
	Rounds int `yaml:"rounds" json:"rounds,omitempty"`
	// Backends overrides Compare.Backends for this case, for example to
	// give a backend an option only the fault case needs.
	Backends []CompareBackend `yaml:"backends" json:"backends,omitempty"`
	// Set is a patch on the base config, written like a config: mappings
	// merge key by key (except an op mix, which replaces the base's
	// whole), anything else (a scalar, a list) replaces what the base has.
	// `faults: default` asks for the built-in fault schedule.
	Set yaml.Node `yaml:"set" json:"-"`
}

// CompareRun is one run of a comparison, in the order it executes.
type CompareRun struct {
	// Case is the case's name.
	Case string
	// Backend is the backend's name.
	Backend string
	// Round counts from 1.
	Round int
	// Config is the run's complete config (defaults filled in, validated,
	// Compare cleared).
	Config *Config
	// Source locates the run's config errors in the original file.
	Source *Source
}

var caseName = regexp.MustCompile(`^[A-Za-z0-9_-]{1,64}$`)

// validCompare checks the comparison section itself; the runs it expands
// to are checked by Expand.
func validCompare(e *errs, c *Compare) {
	if len(c.Backends) == 0 {
		e.add("compare.backends", "no backends to compare; list one or more backend names")
	}
	validBackends(e, "compare.backends", c.Backends)
	if c.Rounds < 1 || c.Rounds > MaxRounds {
		e.add("compare.rounds", "%d rounds, want 1 to %d", c.Rounds, MaxRounds)
	}
	seen := map[string]bool{}
	for i, cs := range c.Cases {
		path := fmt.Sprintf("compare.cases[%d]", i)
		if !caseName.MatchString(cs.Name) {
			e.add(path+".name", "%q, want 1 to 64 letters, digits, '-' or '_'", cs.Name)
		} else if seen[cs.Name] {
			e.add(path+".name", "case %q is named twice", cs.Name)
		}
		seen[cs.Name] = true
		if cs.Rounds < 0 || cs.Rounds > MaxRounds {
			e.add(path+".rounds", "%d rounds, want 1 to %d (or leave it out)", cs.Rounds, MaxRounds)
		}
		validBackends(e, path+".backends", cs.Backends)
		if cs.Set.Kind != 0 && cs.Set.Kind != yaml.MappingNode {
			e.add(path+".set", "a patch on the config is a mapping (backend, workload, phases, faults, ...)")
		}
	}
}

func validBackends(e *errs, path string, bs []CompareBackend) {
	seen := map[string]bool{}
	for i, b := range bs {
		switch {
		case b.Name == "":
			e.add(fmt.Sprintf("%s[%d].name", path, i), "missing backend name")
		case seen[b.Name]:
			e.add(fmt.Sprintf("%s[%d]", path, i), "backend %q is listed twice", b.Name)
		}
		seen[b.Name] = true
	}
}

// Expand lists the runs of a comparison config in the order they run:
// round by round, case by case, and within a case every backend, the
// order rotated by one each round. Each run's config is the base config
// (as written in src) patched by the case's set and the backend's keys,
// with its defaults filled in and validated; every problem of every run
// is reported before anything starts. A run's seed is the base seed plus
// its round, the same for every backend within a round.
func (c *Config) Expand(src *Source) ([]CompareRun, error) {
	if c.Compare == nil {
		return nil, errors.New("workloads: the config has no compare section")
	}
	if src == nil || src.root == nil {
		return nil, errors.New("workloads: a comparison needs the config's source")
	}
	base := cloneNode(src.root.Content[0])
	removeKey(base, "compare")
	cases := c.Compare.Cases
	if len(cases) == 0 {
		cases = []CompareCase{{Name: "main"}}
	}
	rounds := 0
	for _, cs := range cases {
		rounds = max(rounds, caseRounds(c.Compare, cs))
	}
	var runs []CompareRun
	var all Errors
	reported := map[string]bool{}
	for r := 1; r <= rounds; r++ {
		for ci, cs := range cases {
			if r > caseRounds(c.Compare, cs) {
				continue
			}
			backends := cs.Backends
			if len(backends) == 0 {
				backends = c.Compare.Backends
			}
			for k := range backends {
				b := backends[(k+r-1)%len(backends)]
				run, err := expandOne(c, src, base, cs, ci, b, r)
				if err != nil {
					// The same problem in every round is reported once.
					for _, fe := range Fields(err) {
						if s := fe.Error(); !reported[s] {
							reported[s] = true
							all = append(all, fe)
						}
					}
					if Fields(err) == nil {
						return nil, err
					}
					continue
				}
				runs = append(runs, run)
			}
		}
	}
	if len(all) > 0 {
		return nil, all
	}
	return runs, nil
}

func caseRounds(c *Compare, cs CompareCase) int {
	if cs.Rounds > 0 {
		return cs.Rounds
	}
	return c.Rounds
}

// expandOne builds the config of one run.
func expandOne(c *Config, src *Source, base *yaml.Node, cs CompareCase, ci int, b CompareBackend, round int) (CompareRun, error) {
	doc := cloneNode(base)
	if cs.Set.Kind == yaml.MappingNode {
		mergeNode(doc, &cs.Set)
	}
	patch := &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map", Content: []*yaml.Node{
		{Kind: yaml.ScalarNode, Tag: "!!str", Value: "backend", Line: b.Node.Line},
		cloneNode(&b.Node),
	}}
	mergeNode(doc, patch)
	rsrc := &Source{File: src.File, root: &yaml.Node{Kind: yaml.DocumentNode, Content: []*yaml.Node{doc}}}
	var rc Config
	if err := doc.Decode(&rc); err != nil {
		return CompareRun{}, casePrefix(rsrc.yamlErr(err), ci)
	}
	if err := rsrc.fill(&rc); err != nil {
		return CompareRun{}, casePrefix(err, ci)
	}
	if err := rc.Validate(); err != nil {
		return CompareRun{}, casePrefix(rsrc.Locate(err), ci)
	}
	rc.Compare = nil
	rc.Seed = c.Seed + int64(round) - 1
	return CompareRun{Case: cs.Name, Backend: b.Name, Round: round, Config: &rc, Source: rsrc}, nil
}

// casePrefix names the case in the messages of a run's config errors.
func casePrefix(err error, ci int) error {
	for _, fe := range Fields(err) {
		fe.Msg = fmt.Sprintf("%s (in compare.cases[%d])", fe.Msg, ci)
	}
	return err
}

// checkCaseKeys decodes every case's set strictly, so that a misspelt key
// in a patch is reported at its line like one in the base config.
func checkCaseKeys(src *Source, c *Compare) error {
	var out Errors
	for _, cs := range c.Cases {
		if cs.Set.Kind != yaml.MappingNode {
			continue
		}
		var probe Config
		if err := strictDecode(&cs.Set, &probe); err != nil {
			out = append(out, Fields(src.yamlErr(err))...)
		}
	}
	if len(out) > 0 {
		return out
	}
	return nil
}

// strictDecode decodes n into v, refusing unknown keys; errors keep n's
// line numbers.
func strictDecode(n *yaml.Node, v any) error {
	b, err := yaml.Marshal(n)
	if err != nil {
		return err
	}
	dec := yaml.NewDecoder(bytes.NewReader(b))
	dec.KnownFields(true)
	err = dec.Decode(v)
	if err == nil || errors.Is(err, io.EOF) {
		return nil
	}
	// The fragment's lines count from 1; shift them to the file's.
	shift := n.Line - 1
	if n.Style&yaml.FlowStyle != 0 || shift < 0 {
		shift = 0
	}
	var te *yaml.TypeError
	if errors.As(err, &te) {
		for i, m := range te.Errors {
			te.Errors[i] = shiftLine(m, shift, n.Line)
		}
		return te
	}
	return errors.New(shiftLine(err.Error(), shift, n.Line))
}

// shiftLine moves the "line N:" of a yaml.v3 message by shift; a flow
// mapping (all on one line) points at its own line.
func shiftLine(msg string, shift, at int) string {
	m := lineMsg.FindStringSubmatch(msg)
	if m == nil {
		return fmt.Sprintf("line %d: %s", at, msg)
	}
	var n int
	fmt.Sscan(m[1], &n)
	if shift == 0 {
		n = at
	} else {
		n += shift
	}
	return fmt.Sprintf("line %d: %s", n, m[2])
}

// cloneNode deep-copies a YAML tree, keeping line numbers.
func cloneNode(n *yaml.Node) *yaml.Node {
	if n == nil {
		return nil
	}
	c := *n
	c.Content = make([]*yaml.Node, len(n.Content))
	for i, k := range n.Content {
		c.Content[i] = cloneNode(k)
	}
	if n.Alias != nil {
		c.Alias = cloneNode(n.Alias)
	}
	return &c
}

// wholeKeys name mappings that a patch replaces whole instead of merging:
// a case's op mix is the mix, not a blend with the base's.
var wholeKeys = map[string]bool{"mix": true, "hotspot": true}

// mergeNode merges patch into dst (both mappings): keys whose values are
// mappings on both sides merge recursively (except wholeKeys); any other
// value replaces.
func mergeNode(dst, patch *yaml.Node) {
	for i := 0; i+1 < len(patch.Content); i += 2 {
		k, v := patch.Content[i], patch.Content[i+1]
		_, old := lookup(dst, k.Value)
		if old != nil && old.Kind == yaml.MappingNode && v.Kind == yaml.MappingNode && !wholeKeys[k.Value] {
			mergeNode(old, v)
			continue
		}
		if old != nil {
			*old = *cloneNode(v)
			continue
		}
		dst.Content = append(dst.Content, cloneNode(k), cloneNode(v))
	}
}

// removeKey deletes key from mapping n.
func removeKey(n *yaml.Node, key string) {
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == key {
			n.Content = append(n.Content[:i], n.Content[i+2:]...)
			return
		}
	}
}
