package shardkv

import (
	"context"
	"errors"
	"fmt"
	"log/slog"

	"faultline/system/backend/nodeproc"
	"faultline/system/raft"
	"faultline/system/shardctrler"
	skv "faultline/system/shardkv"
)

// DefaultMaxRaftState is the Raft state size at which replica groups
// snapshot when the options do not say.
const DefaultMaxRaftState = 1 << 20

// Node roles.
const (
	roleCtrler = "ctrler"
	roleGroup  = "group"
)

// NodeConfig describes one replica: of the controller group, or of replica
// group GID. It travels to a node process as arguments
// (nodeproc.EncodeArgs).
type NodeConfig struct {
	Role         string   // "ctrler" or "group"
	GID          int      // replica group id (role group)
	ID           int      // index in Peers
	Peers        []string // addresses of the replica's own group
	Ctrlers      []string // addresses of the controller replicas (role group)
	Dir          string
	Fsync        bool
	MaxRaftState int
	// SecretFile is the path of the cluster's secret file
	// (nodeproc.NewSecret), for the node's listener and clients.
	SecretFile string `arg:"secret-file"`
}

// Name is the node's name in Nodes, logs and faults: c0.. for controllers,
// g<gid>-<i> for group replicas.
func (c NodeConfig) Name() string {
	if c.Role == roleCtrler {
		return fmt.Sprintf("c%d", c.ID)
	}
	return fmt.Sprintf("g%d-%d", c.GID, c.ID)
}

// Validate checks the config.
func (c NodeConfig) Validate() error {
	switch {
	case c.Role != roleCtrler && c.Role != roleGroup:
		return fmt.Errorf("shardkv: node role = %q, want %q or %q", c.Role, roleCtrler, roleGroup)
	case c.ID < 0 || c.ID >= len(c.Peers):
		return fmt.Errorf("shardkv: node id = %d, want in [0, %d)", c.ID, len(c.Peers))
	case c.Dir == "":
		return errors.New("shardkv: node dir is empty")
	case c.Role == roleGroup && c.GID <= 0:
		return fmt.Errorf("shardkv: node gid = %d, want > 0", c.GID)
	case c.Role == roleGroup && len(c.Ctrlers) == 0:
		return errors.New("shardkv: group node needs --ctrlers")
	}
	return nil
}

// node is one running replica with its storage and connections.
type node struct {
	*nodeproc.DiskNode
}

func (n *node) peers(addrs []string) []raft.Peer {
	out := make([]raft.Peer, len(addrs))
	for i, a := range addrs {
		out[i] = n.Host.Dial(a)
	}
	return out
}

// startNode opens the node's storage, starts its service and serves it.
// Diagnostics go to logger; nil discards them.
func startNode(cfg NodeConfig, logger *slog.Logger) (nodeproc.Stopper, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	// Links are named by address: a node dials servers it learns from
	// configurations by address, so that is the name both ends know.
	d, err := nodeproc.OpenDiskNode(nodeproc.DiskConfig{Name: cfg.Name(), Link: cfg.Peers[cfg.ID],
		Seed: int64(cfg.GID*1000 + cfg.ID), Dir: cfg.Dir, Fsync: cfg.Fsync, SecretFile: cfg.SecretFile, Logger: logger})
	if err != nil {
		return nil, fmt.Errorf("shardkv: node %s: %w", cfg.Name(), err)
	}
	n := &node{DiskNode: d}
	peers := n.peers(cfg.Peers)
	if cfg.Role == roleCtrler {
		sc := shardctrler.StartServer(peers, cfg.ID, n.Store)
		err = n.Serve(cfg.Peers[cfg.ID], sc.Raft(), sc.Kill, sc, sc.Raft())
	} else {
		makeEnd := func(addr string) raft.Peer { return n.Host.Dial(addr) }
		kv := skv.StartServer(peers, cfg.ID, n.Store, cfg.MaxRaftState, cfg.GID, n.peers(cfg.Ctrlers), makeEnd)
		err = n.Serve(cfg.Peers[cfg.ID], kv.Raft(), kv.Kill, kv, kv.Raft())
	}
	if err != nil {
		return nil, fmt.Errorf("shardkv: node %s: %w", cfg.Name(), err)
	}
	return n, nil
}

// RunNode runs one replica, configured by args (a NodeConfig as
// nodeproc.EncodeArgs renders it), until ctx ends or the process receives
// SIGTERM or SIGINT; then it stops cleanly.
func RunNode(ctx context.Context, args []string) error {
	return nodeproc.RunNode(ctx, args, NodeConfig{Fsync: true, MaxRaftState: DefaultMaxRaftState}, startNode)
}
