package memory

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"

	"faultline/transport"
	"faultline/transport/tcp"
)

// Node is one running memkv node: a Store served over TCP.
type Node struct {
	Store *Store
	ln    *tcp.Listener
}

// StartNode serves a new Store on addr ("127.0.0.1:0" picks a port).
func StartNode(addr string) (*Node, error) {
	st := NewStore()
	srv := transport.NewServer()
	if err := srv.RegisterName("Store", st); err != nil {
		return nil, fmt.Errorf("memkv: %w", err)
	}
	ln, err := tcp.Listen(addr, srv, tcp.DefaultConfig())
	if err != nil {
		return nil, fmt.Errorf("memkv: %w", err)
	}
	return &Node{Store: st, ln: ln}, nil
}

// Addr is the address the node listens on.
func (n *Node) Addr() string { return n.ln.Addr() }

// Close stops serving.
func (n *Node) Close() error { return n.ln.Close() }

// RunNode is the node-process entry point (`bench node memory ARGS...`):
// it serves a Store on -addr, prints "listening ADDR" as its first line on
// stdout once ready, and serves until ctx is done.
func RunNode(ctx context.Context, args []string) error {
	return runNode(ctx, args, os.Stdout)
}

func runNode(ctx context.Context, args []string, out io.Writer) error {
	fs := flag.NewFlagSet("memory node", flag.ContinueOnError)
	addr := fs.String("addr", "127.0.0.1:0", "address to listen on")
	fs.String("name", "n1", "node name")
	if err := fs.Parse(args); err != nil {
		return err
	}
	n, err := StartNode(*addr)
	if err != nil {
		return err
	}
	defer n.Close()
	if _, err := fmt.Fprintf(out, "listening %s\n", n.Addr()); err != nil {
		return fmt.Errorf("memkv: announce address: %w", err)
	}
	<-ctx.Done()
	return nil
}
