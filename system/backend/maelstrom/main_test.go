package maelstrom

import (
	"bufio"
	"encoding/json"
	"fmt"
	"maps"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// testNodeEnv selects, in a re-executed test binary, which test node it
// runs (testNode's modes).
const testNodeEnv = "MPROC_TEST_NODE"

func TestMain(m *testing.M) {
	if mode := os.Getenv(testNodeEnv); mode != "" {
		os.Exit(testNode(mode))
	}
	code := m.Run()
	if echoDir != "" {
		os.RemoveAll(echoDir)
	}
	os.Exit(code)
}

// testNode is a Maelstrom node for the tests, by mode:
//
//   - "good": answers init and the requests of serveRequest.
//   - "stubborn": as good, but ignores SIGTERM.
//   - "silent": writes a line of junk and never answers init.
//   - "exit": says so on stderr and exits with status 3 at once.
//   - "wrong": answers init with echo_ok.
//   - "sleep": a plain process that sleeps (what "fork" starts).
func testNode(mode string) int {
	switch mode {
	case "sleep":
		time.Sleep(time.Minute)
		return 0
	case "exit":
		fmt.Fprintln(os.Stderr, "test node: cannot start, exiting")
		return 3
	case "stubborn":
		signal.Ignore(syscall.SIGTERM)
	}
	fmt.Fprintf(os.Stderr, "test node pid %d\n", os.Getpid())
	in := bufio.NewScanner(os.Stdin)
	in.Buffer(nil, 1<<20)
	out := bufio.NewWriter(os.Stdout)
	if mode == "silent" {
		fmt.Fprintln(out, "hello, I am not JSON")
		out.Flush()
		for in.Scan() {
		}
		return 0
	}
	o := &nodeOut{w: out}
	px := &kvProxy{waiting: map[int][2]any{}}
	for in.Scan() {
		var m struct {
			Src, Dest string
			Body      map[string]any
		}
		if err := json.Unmarshal(in.Bytes(), &m); err != nil {
			fmt.Fprintln(os.Stderr, "test node: bad input:", err)
			return 1
		}
		reply := func(body map[string]any) {
			body["in_reply_to"] = m.Body["msg_id"]
			o.send(m.Src, body)
		}
		typ, _ := m.Body["type"].(string)
		switch {
		case typ == "init" && mode == "wrong":
			o.id = m.Body["node_id"].(string)
			reply(map[string]any{"type": "echo_ok"})
		case typ == "init":
			o.id = m.Body["node_id"].(string)
			fmt.Fprintln(os.Stderr, "test node: init as", o.id)
			reply(map[string]any{"type": "init_ok"})
		default:
			if irt, isReply := m.Body["in_reply_to"]; isReply {
				px.answer(irt, m.Body, o)
				break
			}
			if code := serveRequest(o, m.Src, typ, m.Body, px, reply); code >= 0 {
				out.Flush()
				return code
			}
		}
		out.Flush()
	}
	return 0
}

// serveRequest answers one request of the good test node:
//
//   - echo: echo_ok with the same echo.
//   - emit {lines}: writes each line to stdout as it is, then emit_ok.
//   - big {size}: writes a line of size bytes of junk, then big_ok.
//   - send {to, text, then}: sends a note {text, then} to node "to",
//     which sends noted {text, via} on to "then".
//   - read {key}, write {key, value}, cas {key, from, to}: passed on to
//     the lin-kv service, its reply passed back (kvProxy).
//   - info: info_ok with its pid and its node directory.
//   - bump: increments a counter file in its node directory, bump_ok with
//     the new value; error crash (13, indefinite) without a directory.
//   - fork: starts a sleeping child in its process group, fork_ok with
//     its pid.
//   - exit {code}: exits with that status.
//
// It returns the exit status to end with, or -1 to go on.
func serveRequest(o *nodeOut, src, typ string, body map[string]any, px *kvProxy, reply func(map[string]any)) int {
	switch typ {
	case "echo":
		reply(map[string]any{"type": "echo_ok", "echo": body["echo"]})
	case "emit":
		for _, l := range body["lines"].([]any) {
			fmt.Fprintln(o.w, l.(string))
		}
		reply(map[string]any{"type": "emit_ok"})
	case "big":
		o.w.WriteString(strings.Repeat("x", int(body["size"].(float64))) + "\n")
		reply(map[string]any{"type": "big_ok"})
	case "send":
		o.send(body["to"], map[string]any{"type": "note", "text": body["text"], "then": body["then"]})
	case "note":
		o.send(body["then"], map[string]any{"type": "noted", "text": body["text"], "via": o.id})
	case "read", "write", "cas":
		px.ask(src, body, o)
	case "info":
		reply(map[string]any{"type": "info_ok", "pid": os.Getpid(), "dir": os.Getenv(NodeDirEnv)})
	case "bump":
		if os.Getenv(NodeDirEnv) == "" {
			reply(map[string]any{"type": "error", "code": 13, "text": "no node directory"})
			break
		}
		path := filepath.Join(os.Getenv(NodeDirEnv), "counter")
		b, _ := os.ReadFile(path)
		n, _ := strconv.Atoi(string(b))
		n++
		if err := os.WriteFile(path, []byte(strconv.Itoa(n)), 0o644); err != nil {
			reply(map[string]any{"type": "error", "code": 13, "text": err.Error()})
			break
		}
		reply(map[string]any{"type": "bump_ok", "value": n})
	case "fork":
		exe, _ := os.Executable()
		c := exec.Command(exe, "-test.run=^$")
		c.Env = append(os.Environ(), testNodeEnv+"=sleep")
		if err := c.Start(); err != nil {
			reply(map[string]any{"type": "error", "code": 13, "text": err.Error()})
			break
		}
		reply(map[string]any{"type": "fork_ok", "pid": c.Process.Pid})
	case "exit":
		return int(body["code"].(float64))
	default:
		reply(map[string]any{"type": "error", "code": 10, "text": "unknown type " + typ})
	}
	return -1
}

// kvProxy is how the good test node serves lin-kv's requests: it passes
// each on to the lin-kv service under its own msg_id and passes the
// service's reply back to the client, as a node built on lin-kv does.
type kvProxy struct {
	next    int
	waiting map[int][2]any // by its msg_id: the client's id and msg_id
}

// ask passes the request body from src on to lin-kv.
func (p *kvProxy) ask(src string, body map[string]any, o *nodeOut) {
	p.next++
	p.waiting[p.next] = [2]any{src, body["msg_id"]}
	fwd := maps.Clone(body)
	fwd["msg_id"] = p.next
	o.send("lin-kv", fwd)
}

// answer passes a reply from lin-kv back to the client that asked; other
// replies are ignored.
func (p *kvProxy) answer(inReplyTo any, body map[string]any, o *nodeOut) {
	n, _ := inReplyTo.(float64)
	w, ok := p.waiting[int(n)]
	if !ok {
		return
	}
	delete(p.waiting, int(n))
	back := maps.Clone(body)
	delete(back, "msg_id")
	back["in_reply_to"] = w[1]
	o.send(w[0], back)
}

// nodeOut is the test node's stdout, under its id.
type nodeOut struct {
	id string
	w  *bufio.Writer
}

// send writes a message with body to dest.
func (o *nodeOut) send(dest any, body map[string]any) {
	line, _ := json.Marshal(map[string]any{"src": o.id, "dest": dest, "body": body})
	o.w.Write(append(line, '\n'))
}
