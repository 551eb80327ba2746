package node

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log"
	"os"
	"slices"
	"strconv"
	"sync"
	"time"

	"faultline/system/maelstrom"
)

// Msg is one received message: its ids, its raw body and the body's
// reserved fields.
type Msg struct {
	Src, Dest string
	Body      json.RawMessage
	maelstrom.Header
}

// Decode unmarshals the body into v. A body that does not fit v is a
// malformed request (code 12, definite).
func (m Msg) Decode(v any) error {
	if err := json.Unmarshal(m.Body, v); err != nil {
		return &maelstrom.RPCError{Code: maelstrom.CodeMalformedRequest, Text: err.Error()}
	}
	return nil
}

// Handler answers one request. It returns the reply body (a struct or map
// with a "type"; nil sends no reply) or an error to send back instead.
// ctx ends when the node stops.
type Handler func(ctx context.Context, req Msg) (reply any, err error)

// DefaultRPCTimeout bounds every Call unless the environment variable
// RPCTimeoutEnv or SetRPCTimeout changes it.
const DefaultRPCTimeout = time.Second

// RPCTimeoutEnv names the environment variable that sets the RPC timeout
// of every node at start, in seconds ("2.5"): a slow or loaded machine
// may need more than the default. The Python nodes read it too.
const RPCTimeoutEnv = "MAELSTROM_NODE_RPC_TIMEOUT"

// rpcTimeoutFromEnv returns the timeout RPCTimeoutEnv sets, or the
// default when it is unset or not a positive number.
func rpcTimeoutFromEnv() time.Duration {
	s, err := strconv.ParseFloat(os.Getenv(RPCTimeoutEnv), 64)
	if err != nil || s <= 0 {
		return DefaultRPCTimeout
	}
	return time.Duration(s * float64(time.Second))
}

// Node is one Maelstrom node. Register handlers and init hooks, then Run.
type Node struct {
	mu         sync.Mutex
	id         string
	ids        []string
	nextMsgID  int64
	handlers   map[string]Handler
	onInit     []func(ctx context.Context)
	pending    map[int64]chan Msg
	rpcTimeout time.Duration

	outMu sync.Mutex
	out   io.Writer

	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup
	log    *log.Logger
}

// New returns a node with no handlers that logs to stderr.
func New() *Node {
	ctx, cancel := context.WithCancel(context.Background())
	return &Node{
		handlers:   map[string]Handler{},
		pending:    map[int64]chan Msg{},
		rpcTimeout: rpcTimeoutFromEnv(),
		ctx:        ctx,
		cancel:     cancel,
		log:        log.New(os.Stderr, "", log.Lmicroseconds),
	}
}

// Handle registers h for requests whose body type is typ. Register before
// Run.
func (n *Node) Handle(typ string, h Handler) {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.handlers[typ] = h
}

// OnInit registers f to run once the node knows its id, before it answers
// init_ok. f must not block for long; start background work with Every.
func (n *Node) OnInit(f func(ctx context.Context)) {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.onInit = append(n.onInit, f)
}

// SetRPCTimeout sets the bound of every later Call.
func (n *Node) SetRPCTimeout(d time.Duration) {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.rpcTimeout = d
}

// ID is this node's id ("" before init).
func (n *Node) ID() string {
	n.mu.Lock()
	defer n.mu.Unlock()
	return n.id
}

// NodeIDs lists every node of the cluster, this one included, in the
// order init gave (nil before init).
func (n *Node) NodeIDs() []string {
	n.mu.Lock()
	defer n.mu.Unlock()
	return slices.Clone(n.ids)
}

// Peers lists every node but this one.
func (n *Node) Peers() []string {
	n.mu.Lock()
	defer n.mu.Unlock()
	var peers []string
	for _, id := range n.ids {
		if id != n.id {
			peers = append(peers, id)
		}
	}
	return peers
}

// Logf writes a line to the node's log (stderr).
func (n *Node) Logf(format string, args ...any) {
	n.log.Printf("%s "+format, append([]any{n.ID()}, args...)...)
}

// Stopped reports whether the node has stopped (its input ended): a
// background retry loop should give up.
func (n *Node) Stopped() bool { return n.ctx.Err() != nil }

// Every runs f every d in its own goroutine until the node stops.
func (n *Node) Every(d time.Duration, f func(ctx context.Context)) {
	n.wg.Go(func() {
		t := time.NewTicker(d)
		defer t.Stop()
		for {
			select {
			case <-n.ctx.Done():
				return
			case <-t.C:
				f(n.ctx)
			}
		}
	})
}

// Run reads messages from in and writes the node's messages to out until
// in ends, then stops the node: pending calls fail, background work and
// handlers are waited for. It returns nil at the end of input.
func (n *Node) Run(in io.Reader, out io.Writer) error {
	n.outMu.Lock()
	n.out = out
	n.outMu.Unlock()
	defer func() {
		n.cancel()
		n.wg.Wait()
	}()
	lr := maelstrom.NewLineReader(in, 0)
	for {
		line, err := lr.Next()
		switch {
		case errors.Is(err, io.EOF):
			return nil
		case errors.Is(err, maelstrom.ErrLineTooLong):
			n.Logf("skipped input: %v", err)
			continue
		case err != nil:
			return fmt.Errorf("read input: %w", err)
		}
		m, h, err := maelstrom.DecodeMessage(line)
		if err != nil {
			n.Logf("skipped input %.80q: %v", line, err)
			continue
		}
		n.dispatch(Msg{Src: m.Src, Dest: m.Dest, Body: m.Body, Header: h})
	}
}

// dispatch routes one message: replies to their waiting Call, init to
// the node itself, requests to their handler's goroutine, one-way
// messages (no msg_id) to their handler in order.
func (n *Node) dispatch(m Msg) {
	if m.InReplyTo != nil {
		n.mu.Lock()
		ch, ok := n.pending[*m.InReplyTo]
		delete(n.pending, *m.InReplyTo)
		n.mu.Unlock()
		if ok {
			ch <- m
		}
		return
	}
	if m.Type == "init" {
		n.init(m)
		return
	}
	n.mu.Lock()
	h, ok := n.handlers[m.Type]
	ready := n.id != ""
	n.mu.Unlock()
	switch {
	case !ready:
		n.respond(m, nil, &maelstrom.RPCError{Code: maelstrom.CodeTemporarilyUnavailable, Text: "not initialised"})
	case !ok:
		n.respond(m, nil, &maelstrom.RPCError{Code: maelstrom.CodeNotSupported, Text: "no handler for " + m.Type})
	case m.MsgID == nil:
		// One-way: nobody waits for it, and its sender may rely on its
		// order, so it is handled before the next message is read.
		_, err := h(n.ctx, m)
		n.respond(m, nil, err)
	default:
		n.wg.Go(func() {
			reply, err := h(n.ctx, m)
			n.respond(m, reply, err)
		})
	}
}

func (n *Node) init(m Msg) {
	var b struct {
		NodeID  string   `json:"node_id"`
		NodeIDs []string `json:"node_ids"`
	}
	if err := m.Decode(&b); err != nil || b.NodeID == "" {
		n.respond(m, nil, &maelstrom.RPCError{Code: maelstrom.CodeMalformedRequest, Text: "init needs node_id"})
		return
	}
	n.mu.Lock()
	n.id, n.ids = b.NodeID, b.NodeIDs
	hooks := n.onInit
	n.onInit = nil
	n.mu.Unlock()
	for _, f := range hooks {
		f(n.ctx)
	}
	n.respond(m, map[string]any{"type": "init_ok"}, nil)
}

// respond sends reply, or err as an error body, in reply to req. A
// request without msg_id gets no reply.
func (n *Node) respond(req Msg, reply any, err error) {
	src := n.ID()
	if src == "" {
		src = req.Dest // not initialised yet: answer as whom we were asked
	}
	if req.MsgID == nil {
		if err != nil {
			n.Logf("%s from %s failed: %v", req.Type, req.Src, err)
		}
		return
	}
	if err != nil {
		var rpcErr *maelstrom.RPCError
		if !errors.As(err, &rpcErr) {
			rpcErr = &maelstrom.RPCError{Code: maelstrom.CodeCrash, Text: err.Error()}
		}
		n.write(src, req.Src, maelstrom.ErrorReply(req.MsgID, rpcErr.Code, rpcErr.Text))
		return
	}
	if reply == nil {
		return
	}
	body, err := stamp(reply, nil, req.MsgID)
	if err != nil {
		n.Logf("reply to %s: %v", req.Type, err)
		return
	}
	n.write(src, req.Src, body)
}

// Main runs the node on stdin and stdout and exits the process: 0 at the
// end of input, 1 on a read error.
func (n *Node) Main() {
	if err := n.Run(os.Stdin, os.Stdout); err != nil {
		n.Logf("%v", err)
		os.Exit(1)
	}
	os.Exit(0)
}

// Decoded makes a Handler that first decodes the request body into a
// fresh T (a malformed body is answered with code 12) and then calls f.
func Decoded[T any](f func(ctx context.Context, req Msg, body T) (any, error)) Handler {
	return func(ctx context.Context, req Msg) (any, error) {
		var b T
		if err := req.Decode(&b); err != nil {
			return nil, err
		}
		return f(ctx, req, b)
	}
}
