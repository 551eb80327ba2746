package exec

import (
	"strings"
	"syscall"
	"testing"
	"time"
)

const goodDescription = `proxies: per-link
stop: {signal: INT, grace: 3s}
protocol:
  name: resp
  read-from: any
roles:
  - name: primary
    peer-port: client
    command: server --port {{.ClientPort}}
  - name: replica
    count: 2
    command: [server, "{{(index .Nodes 0).Addr}}"]
    env: {B: "{{.ID}}", A: x}
    ready: {command: [true], within: 3s}
`

func TestParseGood(t *testing.T) {
	d, err := Parse("c.yaml", []byte(goodDescription))
	if err != nil {
		t.Fatal(err)
	}
	if d.Nodes() != 3 || d.Protocol.ReadFrom != ReadAny || d.Stop.Signal != syscall.SIGINT || d.Stop.Grace != 3*time.Second {
		t.Fatalf("parsed %+v", d)
	}
	r, k := d.roleOf(2)
	if r.Name != "replica" || k != 1 || r.Ready.TCP != "" || r.Ready.Within != 3*time.Second || strings.Join(r.Env, " ") != "A=x B={{.ID}}" {
		t.Fatalf("node 2: role %+v, index %d", r, k)
	}
	if p, _ := d.roleOf(0); p.Ready.TCP != "client" || len(p.Command) != 3 {
		t.Fatalf("primary: %+v", p)
	}
	if got := strings.Join(d.Protocol.Serve, ","); got != "primary,replica" {
		t.Fatalf("serve %s", got)
	}
}

// TestParseErrors: every mistake is reported with the file and the line
// it is written on.
func TestParseErrors(t *testing.T) {
	for _, tc := range []struct{ name, text, want string }{
		{"unknown key", "protocol: {name: resp}\nroles: [{name: a, command: x}]\nnodes: 3\n", `c.yaml:3: nodes: unknown key (known here: protocol, proxies, roles, stop)`},
		{"unknown protocol", "protocol: {name: http}\nroles: [{name: a, command: x}]\n", `c.yaml:1: protocol.name: "http", want one of resp, etcd-v3, maelstrom-lin-kv`},
		{"no roles", "protocol: {name: resp}\n", `c.yaml:1: roles: no roles`},
		{"no command", "protocol: {name: resp}\nroles:\n  - name: a\n", `c.yaml:3: roles[0].command: a role needs a command`},
		{"bad count", "protocol: {name: resp}\nroles:\n  - name: a\n    command: x\n    count: 0\n", `c.yaml:5: roles[0].count: "0", want a number of nodes from 1 to 64`},
		{"bad duration", "protocol: {name: resp}\nroles:\n  - name: a\n    command: x\n    ready: {within: soon}\n", `c.yaml:5: roles[0].ready.within: "soon", want a duration`},
		{"bad signal", "stop: {signal: USR9}\nprotocol: {name: resp}\nroles: [{name: a, command: x}]\n", `c.yaml:1: stop.signal: "USR9", want TERM, INT, QUIT, HUP or KILL`},
		{"twice", "protocol: {name: resp}\nroles:\n  - {name: a, command: x}\n  - {name: a, command: y}\n", `c.yaml:4: roles[1].name: role "a" named twice`},
		{"sentinel role", "protocol: {name: resp, sentinel: {role: s, master: m}}\nroles: [{name: a, command: x}]\n", `c.yaml:1: protocol.sentinel.role: no role "s"`},
		{"read-from on etcd", "protocol: {name: etcd-v3, read-from: any}\nroles: [{name: a, command: x}]\n", `c.yaml:1: protocol.read-from: read-from applies to protocol resp only`},
		{"yaml", "roles: [\n", `c.yaml: `},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Parse("c.yaml", []byte(tc.text))
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %v, want %q", err, tc.want)
			}
		})
	}
}

// TestCheckTemplates: Check renders every node's templates and looks the
// programs up, reporting the line of the role key that holds the mistake.
func TestCheckTemplates(t *testing.T) {
	for _, tc := range []struct{ name, role, want string }{
		{"missing variable", "    command: [sleep, '{{.Port}}']\n", `c.yaml:4: role a command: template: command[1]:1:2: executing "command[1]" at <.Port>: can't evaluate field Port`},
		{"unknown function", "    command: [sleep, '{{peers}}']\n", `c.yaml:4: role a command: template: command[1]:1: function "peers" not defined`},
		{"not on PATH", "    command: [no-such-server-xyz]\n", `c.yaml:4: role a command: program "no-such-server-xyz"`},
		{"ready command", "    command: [sleep, '1']\n    ready:\n      command: [no-such-probe-xyz]\n", `c.yaml:6: role a ready.command: program "no-such-probe-xyz"`},
		{"env", "    command: [sleep, '1']\n    env: {X: '{{.Nope}}'}\n", `c.yaml:5: role a env: template`},
		{"file name", "    command: [sleep, '1']\n    files: {../x: y}\n", `c.yaml:5: role a files: file name "../x"`},
		{"file template", "    command: [sleep, '1']\n    files: {x.conf: '{{range}}'}\n", `c.yaml:5: role a files: template: files.x.conf`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d, err := Parse("c.yaml", []byte("protocol: {name: resp}\nroles:\n  - name: a\n"+tc.role))
			if err != nil {
				t.Fatal(err)
			}
			if err := checkTemplates(d); err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %v, want %q", err, tc.want)
			}
		})
	}
}

// TestPlanPerLinkVars: node i's template sees its own address for itself
// and its proxy of link i -> j for every other node.
func TestPlanVars(t *testing.T) {
	d, err := Parse("c.yaml", []byte(goodDescription))
	if err != nil {
		t.Fatal(err)
	}
	p := newPlan(d, fakeAddrs(addrsNeeded(d)))
	p.dial[1][0] = "127.0.0.1:1"
	v := p.vars(1, "/c", "/c/n1", 9)
	if v.ID != "n1" || v.Role != "replica" || v.RoleIndex != 0 || v.Nodes[0].Addr != "127.0.0.1:1" || v.Nodes[0].Port != 1 || v.Nodes[1].Addr != p.target(1) {
		t.Fatalf("vars %+v", v)
	}
	s, err := v.render("t", `{{range role "replica"}}{{.ID}} {{end}}`)
	if err != nil || s != "n1 n2 " {
		t.Fatalf("role: %q %v", s, err)
	}
}
