package exec

import (
	"fmt"
	"os"
	"slices"
	"sort"
	"strings"
	"syscall"
	"time"

	"gopkg.in/yaml.v3"
)

// maxFile bounds a description file.
const maxFile = 1 << 20

// Load reads and checks the description in file. Its errors name the file
// and line of every problem.
func Load(file string) (*Description, error) {
	st, err := os.Stat(file)
	if err != nil {
		return nil, fmt.Errorf("exec: cluster description: %w", err)
	}
	if st.Size() > maxFile {
		return nil, fmt.Errorf("exec: cluster description %s: %d bytes, more than %d", file, st.Size(), maxFile)
	}
	data, err := os.ReadFile(file)
	if err != nil {
		return nil, fmt.Errorf("exec: cluster description: %w", err)
	}
	return Parse(file, data)
}

// Parse is Load from bytes; file names the source in errors.
func Parse(file string, data []byte) (*Description, error) {
	p := &parser{file: file}
	var root yaml.Node
	if err := yaml.Unmarshal(data, &root); err != nil {
		return nil, &posError{file: file, msg: strings.TrimPrefix(err.Error(), "yaml: ")}
	}
	if len(root.Content) == 0 || root.Content[0].Kind != yaml.MappingNode {
		return nil, &posError{file: file, line: 1, msg: "a cluster description is a mapping (roles, protocol, proxies)"}
	}
	top := root.Content[0]
	d := &Description{File: file, Proxies: ProxiesPerLink, Stop: Stop{Signal: syscall.SIGTERM, Grace: DefaultGrace},
		lines: map[string]int{"": top.Line}}
	p.mapping(top, "", map[string]func(k, v *yaml.Node){
		"roles":    func(k, v *yaml.Node) { d.Roles = p.roles(v) },
		"protocol": func(k, v *yaml.Node) { d.Protocol = p.protocol(v) },
		"proxies": func(k, v *yaml.Node) {
			d.Proxies = p.oneOf(v, "proxies", ProxiesPerLink, ProxiesEtcd, ProxiesSource)
		},
		"stop": func(k, v *yaml.Node) {
			p.mapping(v, "stop", map[string]func(k, v *yaml.Node){
				"signal": func(k, v *yaml.Node) { d.Stop.Signal = p.signal(v, "stop.signal") },
				"grace":  func(k, v *yaml.Node) { d.Stop.Grace = p.duration(v, "stop.grace") },
			})
		},
	})
	if len(d.Roles) == 0 {
		p.errorf(top, "roles", "no roles: list the kinds of node (name, count, command)")
	}
	if d.Protocol.Name == "" {
		p.errorf(top, "protocol", "no protocol: say how clients speak to the cluster (%s, %s or %s)", ProtoRESP, ProtoEtcd, ProtoMaelstrom)
	}
	p.crossCheck(d, top)
	if len(p.errs) > 0 {
		return nil, p.err()
	}
	return d, nil
}

// parser walks a description's YAML tree, collecting located errors.
type parser struct {
	file string
	errs []*posError
}

func (p *parser) errorf(n *yaml.Node, path, format string, args ...any) {
	line := 0
	if n != nil {
		line = n.Line
	}
	p.errs = append(p.errs, &posError{file: p.file, line: line, path: path, msg: fmt.Sprintf(format, args...)})
}

// err joins the errors, one per line, in file order.
func (p *parser) err() error {
	sort.SliceStable(p.errs, func(a, b int) bool { return p.errs[a].line < p.errs[b].line })
	msgs := make([]string, len(p.errs))
	for i, e := range p.errs {
		msgs[i] = e.Error()
	}
	return fmt.Errorf("exec: %s", strings.Join(msgs, "\n"))
}

// mapping calls the handler of each key of n, refusing unknown keys.
func (p *parser) mapping(n *yaml.Node, path string, keys map[string]func(k, v *yaml.Node)) {
	if n.Kind != yaml.MappingNode {
		p.errorf(n, path, "want a mapping")
		return
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		h, ok := keys[k.Value]
		if !ok {
			known := make([]string, 0, len(keys))
			for name := range keys {
				known = append(known, name)
			}
			sort.Strings(known)
			p.errorf(k, join(path, k.Value), "unknown key (known here: %s)", strings.Join(known, ", "))
			continue
		}
		h(k, v)
	}
}

func join(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

func (p *parser) scalar(v *yaml.Node, path string) string {
	if v.Kind != yaml.ScalarNode {
		p.errorf(v, path, "want a single value")
		return ""
	}
	return v.Value
}

func (p *parser) oneOf(v *yaml.Node, path string, allowed ...string) string {
	s := p.scalar(v, path)
	if !slices.Contains(allowed, s) {
		p.errorf(v, path, "%q, want one of %s", s, strings.Join(allowed, ", "))
	}
	return s
}

func (p *parser) duration(v *yaml.Node, path string) time.Duration {
	s := p.scalar(v, path)
	d, err := time.ParseDuration(s)
	if err != nil || d <= 0 || d > 10*time.Minute {
		p.errorf(v, path, "%q, want a duration such as 10s, above 0 and at most 10m", s)
	}
	return d
}

// words reads a command: a list of words, or one string split at spaces.
func (p *parser) words(v *yaml.Node, path string) []string {
	switch v.Kind {
	case yaml.ScalarNode:
		return strings.Fields(v.Value)
	case yaml.SequenceNode:
		out := make([]string, 0, len(v.Content))
		for i, w := range v.Content {
			out = append(out, p.scalar(w, fmt.Sprintf("%s[%d]", path, i)))
		}
		return out
	}
	p.errorf(v, path, "want a list of words or a string")
	return nil
}

// stringMap reads a mapping of names to strings, sorted by name.
func (p *parser) stringMap(v *yaml.Node, path string) map[string]string {
	m := map[string]string{}
	if v.Kind != yaml.MappingNode {
		p.errorf(v, path, "want a mapping of names to values")
		return m
	}
	for i := 0; i+1 < len(v.Content); i += 2 {
		k := v.Content[i].Value
		m[k] = p.scalar(v.Content[i+1], join(path, k))
	}
	return m
}

func (p *parser) roles(v *yaml.Node) []Role {
	if v.Kind != yaml.SequenceNode {
		p.errorf(v, "roles", "want a list of roles")
		return nil
	}
	var out []Role
	for i, n := range v.Content {
		out = append(out, p.role(n, fmt.Sprintf("roles[%d]", i)))
	}
	return out
}

func (p *parser) role(n *yaml.Node, path string) Role {
	r := Role{Count: 1, PeerPort: "peer", Ready: Ready{Within: DefaultWithin},
		lines: map[string]int{"": n.Line}}
	at := func(key string, k *yaml.Node) { r.lines[key] = k.Line }
	p.mapping(n, path, map[string]func(k, v *yaml.Node){
		"name": func(k, v *yaml.Node) { r.Name = p.scalar(v, path+".name") },
		"count": func(k, v *yaml.Node) {
			if err := v.Decode(&r.Count); err != nil || r.Count < 1 || r.Count > maxNodes {
				p.errorf(v, path+".count", "%q, want a number of nodes from 1 to %d", v.Value, maxNodes)
			}
		},
		"command": func(k, v *yaml.Node) { at("command", k); r.Command = p.words(v, path+".command") },
		"env": func(k, v *yaml.Node) {
			at("env", k)
			m := p.stringMap(v, path+".env")
			for name, val := range m {
				r.Env = append(r.Env, name+"="+val)
			}
			sort.Strings(r.Env)
		},
		"files":     func(k, v *yaml.Node) { at("files", k); r.Files = p.stringMap(v, path+".files") },
		"peer-port": func(k, v *yaml.Node) { r.PeerPort = p.oneOf(v, path+".peer-port", "client", "peer") },
		"ready": func(k, v *yaml.Node) {
			at("ready", k)
			p.mapping(v, path+".ready", map[string]func(k, v *yaml.Node){
				"tcp":     func(k, v *yaml.Node) { r.Ready.TCP = p.oneOf(v, path+".ready.tcp", "client", "peer") },
				"command": func(k, v *yaml.Node) { at("ready.command", k); r.Ready.Command = p.words(v, path+".ready.command") },
				"within":  func(k, v *yaml.Node) { r.Ready.Within = p.duration(v, path+".ready.within") },
			})
		},
	})
	if r.Name == "" {
		p.errorf(n, path+".name", "a role needs a name")
	}
	if len(r.Command) == 0 {
		p.errorf(n, path+".command", "a role needs a command")
	}
	if r.Ready.TCP == "" && len(r.Ready.Command) == 0 {
		r.Ready.TCP = "client"
	}
	return r
}

// signals are the stop signals a description may name.
var signals = map[string]syscall.Signal{"TERM": syscall.SIGTERM, "INT": syscall.SIGINT, "QUIT": syscall.SIGQUIT, "HUP": syscall.SIGHUP, "KILL": syscall.SIGKILL}

func (p *parser) signal(v *yaml.Node, path string) syscall.Signal {
	s := strings.TrimPrefix(strings.ToUpper(p.scalar(v, path)), "SIG")
	sig, ok := signals[s]
	if !ok {
		p.errorf(v, path, "%q, want TERM, INT, QUIT, HUP or KILL", v.Value)
	}
	return sig
}

func (p *parser) protocol(v *yaml.Node) Protocol {
	pr := Protocol{ReadFrom: ReadPrimary, Timeout: DefaultTimeout, line: v.Line}
	p.mapping(v, "protocol", map[string]func(k, v *yaml.Node){
		"name": func(k, v *yaml.Node) {
			pr.Name = p.oneOf(v, "protocol.name", ProtoRESP, ProtoEtcd, ProtoMaelstrom)
		},
		"read-from": func(k, v *yaml.Node) { pr.ReadFrom = p.oneOf(v, "protocol.read-from", ReadPrimary, ReadAny) },
		"serve":     func(k, v *yaml.Node) { pr.Serve = p.words(v, "protocol.serve") },
		"timeout":   func(k, v *yaml.Node) { pr.Timeout = p.duration(v, "protocol.timeout") },
		"sentinel": func(k, v *yaml.Node) {
			p.mapping(v, "protocol.sentinel", map[string]func(k, v *yaml.Node){
				"role":   func(k, v *yaml.Node) { pr.Sentinel = p.scalar(v, "protocol.sentinel.role") },
				"master": func(k, v *yaml.Node) { pr.Master = p.scalar(v, "protocol.sentinel.master") },
			})
		},
	})
	return pr
}

// crossCheck checks what spans sections: role names, the protocol's roles.
func (p *parser) crossCheck(d *Description, top *yaml.Node) {
	names := map[string]bool{}
	for i, r := range d.Roles {
		if names[r.Name] {
			p.errorf(&yaml.Node{Line: r.lines[""]}, fmt.Sprintf("roles[%d].name", i), "role %q named twice", r.Name)
		}
		names[r.Name] = true
	}
	if n := d.Nodes(); n > maxNodes {
		p.errorf(top, "roles", "%d nodes in all, want at most %d", n, maxNodes)
	}
	pr := &d.Protocol
	at := &yaml.Node{Line: pr.line}
	if pr.Sentinel != "" || pr.Master != "" {
		switch {
		case pr.Name != ProtoRESP:
			p.errorf(at, "protocol.sentinel", "only protocol %s has sentinels", ProtoRESP)
		case pr.Sentinel == "" || pr.Master == "":
			p.errorf(at, "protocol.sentinel", "needs both role and master")
		case !names[pr.Sentinel]:
			p.errorf(at, "protocol.sentinel.role", "no role %q", pr.Sentinel)
		}
	}
	if pr.ReadFrom == ReadAny && pr.Name != ProtoRESP {
		p.errorf(at, "protocol.read-from", "read-from applies to protocol %s only", ProtoRESP)
	}
	if len(pr.Serve) == 0 {
		for _, r := range d.Roles {
			if r.Name != pr.Sentinel {
				pr.Serve = append(pr.Serve, r.Name)
			}
		}
	}
	for _, s := range pr.Serve {
		if !names[s] {
			p.errorf(at, "protocol.serve", "no role %q", s)
		}
	}
}
