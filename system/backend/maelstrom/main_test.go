package maelstrom

import (
	"bufio"
	"encoding/json"
	"fmt"
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
	os.Exit(m.Run())
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
	var id string
	kv := map[string]any{}
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
			b, _ := json.Marshal(map[string]any{"src": id, "dest": m.Src, "body": body})
			out.Write(append(b, '\n'))
		}
		typ, _ := m.Body["type"].(string)
		switch {
		case typ == "init" && mode == "wrong":
			id = m.Body["node_id"].(string)
			reply(map[string]any{"type": "echo_ok"})
		case typ == "init":
			id = m.Body["node_id"].(string)
			fmt.Fprintln(os.Stderr, "test node: init as", id)
			reply(map[string]any{"type": "init_ok"})
		default:
			if _, isReply := m.Body["in_reply_to"]; isReply {
				break
			}
			if code := serveRequest(id, typ, m.Body, kv, out, reply); code >= 0 {
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
//   - read {key}, write {key, value}: a key/value store (lin-kv's
//     requests).
//   - info: info_ok with its pid and its node directory.
//   - bump: increments a counter file in its node directory, bump_ok with
//     the new value; error crash (13, indefinite) without a directory.
//   - fork: starts a sleeping child in its process group, fork_ok with
//     its pid.
//   - exit {code}: exits with that status.
//
// It returns the exit status to end with, or -1 to go on.
func serveRequest(id, typ string, body, kv map[string]any, out *bufio.Writer, reply func(map[string]any)) int {
	send := func(dest any, b map[string]any) {
		line, _ := json.Marshal(map[string]any{"src": id, "dest": dest, "body": b})
		out.Write(append(line, '\n'))
	}
	switch typ {
	case "echo":
		reply(map[string]any{"type": "echo_ok", "echo": body["echo"]})
	case "emit":
		for _, l := range body["lines"].([]any) {
			fmt.Fprintln(out, l.(string))
		}
		reply(map[string]any{"type": "emit_ok"})
	case "big":
		out.WriteString(strings.Repeat("x", int(body["size"].(float64))) + "\n")
		reply(map[string]any{"type": "big_ok"})
	case "send":
		send(body["to"], map[string]any{"type": "note", "text": body["text"], "then": body["then"]})
	case "note":
		send(body["then"], map[string]any{"type": "noted", "text": body["text"], "via": id})
	case "read":
		k, _ := json.Marshal(body["key"])
		if v, ok := kv[string(k)]; ok {
			reply(map[string]any{"type": "read_ok", "value": v})
		} else {
			reply(map[string]any{"type": "error", "code": 20, "text": "no key " + string(k)})
		}
	case "write":
		k, _ := json.Marshal(body["key"])
		kv[string(k)] = body["value"]
		reply(map[string]any{"type": "write_ok"})
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
