package examples

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"sync"
	"testing"
	"time"

	"faultline/system/maelstrom"
	"faultline/system/maelstrom/examples/node"
)

// wait bounds every expected reply or message: generous, because a
// loaded machine (up to six helpers' tests at once) can take seconds just
// to start a Python process (17-19 s measured at CPU pressure 98%). Only
// failures wait this long.
const wait = 60 * time.Second

// rpcTimeout is the nodes' RPC timeout in these tests (node.RPCTimeoutEnv):
// where the test plays a service or a peer, it must answer within it even
// on a loaded machine; the tests of what a timeout does wait for it.
const rpcTimeout = "3"

var (
	buildOnce sync.Once
	binDir    string
	buildErr  error
)

// goNode builds every Go node once per test run (one go build of
// ./go/...) and returns the path of the one named name.
func goNode(t *testing.T, name string) []string {
	t.Helper()
	buildOnce.Do(func() {
		binDir, buildErr = os.MkdirTemp("", "maelstrom-examples-")
		if buildErr != nil {
			return
		}
		out, err := exec.Command("go", "build", "-o", binDir+"/", "./go/...").CombinedOutput()
		if err != nil {
			buildErr = errors.New(string(out))
		}
	})
	if buildErr != nil {
		t.Fatalf("build go nodes: %v", buildErr)
	}
	return []string{filepath.Join(binDir, name)}
}

// pyNode returns the command of the Python node in python/<name>.py; it
// fails the test when python3 is missing (CI installs it).
func pyNode(t *testing.T, name string) []string {
	t.Helper()
	py, err := exec.LookPath("python3")
	if err != nil {
		t.Fatalf("python3 is needed for the Python nodes: %v", err)
	}
	return []string{py, filepath.Join("python", name+".py")}
}

func TestMain(m *testing.M) {
	code := m.Run()
	if binDir != "" {
		os.RemoveAll(binDir)
	}
	os.Exit(code)
}

// impl is one implementation of a node: its name in test names and how
// to get its command.
type impl struct {
	lang string
	cmd  func(t *testing.T, name string) []string
}

var impls = []impl{{"go", goNode}, {"python", pyNode}}

// eachImpl runs f as a parallel subtest for each implementation; t runs
// in parallel with other tests too.
func eachImpl(t *testing.T, f func(t *testing.T, im impl)) {
	t.Parallel()
	for _, im := range impls {
		t.Run(im.lang, func(t *testing.T) {
			t.Parallel()
			f(t, im)
		})
	}
}

// node starts the node called name of this implementation and inits it
// as id among ids (all nodes of the cluster, id included); serve answers
// the services.
func (im impl) node(t *testing.T, name string, serve map[string]responder, id string, ids ...string) *proc {
	t.Helper()
	p := start(t, im.cmd(t, name), serve)
	p.init(id, ids...)
	return p
}

// proc is a node process under test. The test speaks for everyone else:
// it writes messages on the node's stdin and reads what the node writes.
// Messages to a service id with a responder (serve) are answered by it;
// the rest wait in a backlog for expect.
type proc struct {
	t       *testing.T
	cmd     *exec.Cmd
	stdin   io.WriteCloser
	writeMu sync.Mutex
	stderr  string // the file the node's stderr goes to
	done    chan error
	nextID  int64

	mu     sync.Mutex
	queue  []maelstrom.Message // sent by the node, not yet expected
	ended  bool                // the node's stdout has ended
	notify chan struct{}       // signalled (without blocking) on every change
}

// responder answers one message the node sent to a service.
type responder func(m maelstrom.Message) (reply json.RawMessage)

// start runs argv as a node; serve maps service ids to their responders.
// The node's stdin is closed at the end of the test, and the node must
// then exit by itself.
func start(t *testing.T, argv []string, serve map[string]responder) *proc {
	t.Helper()
	p := &proc{t: t, done: make(chan error, 1), notify: make(chan struct{}, 1)}
	p.cmd = exec.Command(argv[0], argv[1:]...)
	p.stderr = filepath.Join(t.TempDir(), "stderr")
	errFile, err := os.Create(p.stderr)
	if err != nil {
		t.Fatal(err)
	}
	defer errFile.Close() // the child has its own copy
	p.cmd.Stderr = errFile
	p.cmd.Env = append(os.Environ(),
		node.RPCTimeoutEnv+"="+rpcTimeout,
		"PYTHONDONTWRITEBYTECODE=1") // keep python/ clean
	stdin, err := p.cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout, err := p.cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	p.stdin = stdin
	if err := p.cmd.Start(); err != nil {
		t.Fatalf("start %v: %v", argv, err)
	}
	go p.read(stdout, serve)
	t.Cleanup(p.stop)
	return p
}

// read decodes the node's stdout; every line must be a valid message.
func (p *proc) read(stdout io.Reader, serve map[string]responder) {
	lr := maelstrom.NewLineReader(stdout, 0)
	for {
		line, err := lr.Next()
		if err != nil {
			p.push(func() { p.ended = true })
			p.done <- p.cmd.Wait()
			return
		}
		m, _, err := maelstrom.DecodeMessage(line)
		if err != nil {
			p.t.Errorf("node wrote a bad line %q: %v", line, err)
			continue
		}
		if r := serve[m.Dest]; r != nil {
			p.write(maelstrom.Message{Src: m.Dest, Dest: m.Src, Body: r(m)})
			continue
		}
		p.push(func() { p.queue = append(p.queue, m) })
	}
}

// push changes the queue under its lock and wakes a waiting expect.
func (p *proc) push(change func()) {
	p.mu.Lock()
	change()
	p.mu.Unlock()
	select {
	case p.notify <- struct{}{}:
	default:
	}
}

func (p *proc) stop() {
	p.stdin.Close()
	select {
	case err := <-p.done:
		if err != nil {
			p.t.Errorf("node exited with %v after its stdin closed; stderr:\n%s", err, p.stderrText())
		}
	case <-time.After(wait):
		p.cmd.Process.Kill()
		<-p.done
		p.t.Errorf("node did not exit within %v of its stdin closing", wait)
	}
	if p.t.Failed() {
		p.t.Logf("node stderr:\n%s", p.stderrText())
	}
}

// kill SIGKILLs the node and waits for it to exit; stop then finds it
// gone and does not blame it.
func (p *proc) kill() {
	p.cmd.Process.Kill()
	<-p.done
	p.done <- nil
}

func (p *proc) stderrText() string {
	b, err := os.ReadFile(p.stderr)
	if err != nil {
		return err.Error()
	}
	return string(b)
}

func (p *proc) write(m maelstrom.Message) {
	line, err := json.Marshal(m)
	if err != nil {
		p.t.Errorf("encode %v: %v", m, err)
		return
	}
	p.writeMu.Lock()
	defer p.writeMu.Unlock()
	if _, err := p.stdin.Write(append(line, '\n')); err != nil {
		p.t.Errorf("write to node: %v", err)
	}
}

// send writes a request from src to the node with a fresh msg_id and
// returns that id. body holds the fields besides msg_id.
func (p *proc) send(src, dest string, body map[string]any) int64 {
	p.t.Helper()
	p.nextID++
	b := map[string]any{"msg_id": p.nextID}
	for k, v := range body {
		b[k] = v
	}
	raw, err := json.Marshal(b)
	if err != nil {
		p.t.Fatal(err)
	}
	p.write(maelstrom.Message{Src: src, Dest: dest, Body: raw})
	return p.nextID
}

// oneWay writes a message from src to the node without msg_id: one the
// node must not answer.
func (p *proc) oneWay(src, dest string, body map[string]any) {
	p.t.Helper()
	raw, err := json.Marshal(body)
	if err != nil {
		p.t.Fatal(err)
	}
	p.write(maelstrom.Message{Src: src, Dest: dest, Body: raw})
}

// expect returns the first message the node sent that matches, waiting
// up to wait; messages that do not match stay queued for later expects.
func (p *proc) expect(what string, match func(m maelstrom.Message, b body) bool) (maelstrom.Message, body) {
	p.t.Helper()
	deadline := time.After(wait)
	for {
		p.mu.Lock()
		for i, m := range p.queue {
			if b := decodeBody(p.t, m); match(m, b) {
				p.queue = slices.Delete(p.queue, i, i+1)
				p.mu.Unlock()
				return m, b
			}
		}
		ended, queued := p.ended, slices.Clone(p.queue)
		p.mu.Unlock()
		if ended {
			p.t.Fatalf("node ended before %s; stderr:\n%s", what, p.stderrText())
		}
		select {
		case <-p.notify:
		case <-deadline:
			p.t.Fatalf("no %s within %v; unmatched messages: %v", what, wait, queued)
		}
	}
}

// call sends a request from src and returns the body of the reply to it.
func (p *proc) call(src, dest string, req map[string]any) body {
	p.t.Helper()
	id := p.send(src, dest, req)
	_, b := p.expect(fmt.Sprintf("reply to %s's %v", src, req["type"]), func(m maelstrom.Message, b body) bool {
		return m.Dest == src && b.inReplyTo() == id
	})
	return b
}

// init sends init and checks the init_ok.
func (p *proc) init(id string, ids ...string) {
	p.t.Helper()
	b := p.call("c0", id, map[string]any{"type": "init", "node_id": id, "node_ids": ids})
	b.wantType(p.t, "init_ok")
}
