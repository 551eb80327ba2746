package memory

import (
	"context"
	"fmt"
	"log/slog"

	"faultline/system/backend/nodeproc"
	"faultline/transport"
	"faultline/transport/tcp"
)

// Node is one running memkv node: a Store served over TCP.
type Node struct {
	Store *Store
	ln    *tcp.Listener
}

var _ nodeproc.Stopper = (*Node)(nil)

// NodeConfig describes the node. It travels to a node process as
// arguments (nodeproc.EncodeArgs).
type NodeConfig struct {
	// Addr is the address to listen on ("127.0.0.1:0" picks a port).
	Addr string
	// SecretFile is the path of the cluster's secret file
	// (nodeproc.NewSecret); "" serves without authentication.
	SecretFile string `arg:"secret-file"`
	// Txn is the transaction mode (option "txn": TxnStrict or
	// TxnStaleRead; "" is TxnStrict).
	Txn string
}

// StartNode serves a new, empty Store at cfg.Addr ("127.0.0.1:0" picks a
// port), authenticating every connection with the secret in
// cfg.SecretFile.
func StartNode(cfg NodeConfig) (*Node, error) {
	secret, err := nodeproc.LoadSecret(cfg.SecretFile)
	if err != nil {
		return nil, fmt.Errorf("memkv: %w", err)
	}
	st := NewStore()
	if st.TxnMode, err = txnMode(cfg.Txn); err != nil {
		return nil, err
	}
	srv := transport.NewServer()
	if err := srv.RegisterName("Store", st); err != nil {
		return nil, fmt.Errorf("memkv: %w", err)
	}
	lcfg := tcp.DefaultConfig()
	lcfg.Secret = secret
	ln, err := tcp.Listen(cfg.Addr, srv, lcfg)
	if err != nil {
		return nil, fmt.Errorf("memkv: %w", err)
	}
	return &Node{Store: st, ln: ln}, nil
}

// Addr is the address the node listens on.
func (n *Node) Addr() string { return n.ln.Addr() }

// Stop stops serving; the store's contents are lost. It implements
// nodeproc.Stopper.
func (n *Node) Stop() error { return n.ln.Close() }

// RunNode is the node-process entry point (`bench node memory ARGS...`):
// it serves a Store at the address in args (a NodeConfig as
// nodeproc.EncodeArgs renders it) until ctx ends or the process receives
// SIGTERM or SIGINT.
func RunNode(ctx context.Context, args []string) error {
	return nodeproc.RunNode(ctx, args, NodeConfig{Addr: "127.0.0.1:0"},
		func(cfg NodeConfig, logger *slog.Logger) (nodeproc.Stopper, error) {
			n, err := StartNode(cfg)
			if err == nil {
				logger.Info("node started", "addr", n.Addr())
			}
			return n, err
		})
}
