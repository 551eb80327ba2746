package nodeproc

import (
	"errors"
	"log/slog"

	"faultline/system/storage"
	"faultline/transport"
)

// DiskConfig says how to open a DiskNode.
type DiskConfig struct {
	// Name is the node's name in its own log lines.
	Name string
	// Link is its name at the near end of its links (see NewHost), and
	// Seed seeds its fault table.
	Link string
	Seed int64
	// Dir is the node's data directory; Fsync makes durable writes reach
	// the disk before they are acknowledged.
	Dir   string
	Fsync bool
	// SecretFile is the path of the cluster's secret file (LoadSecret).
	SecretFile string
	// Logger receives diagnostics; nil discards them.
	Logger *slog.Logger
}

// DiskNode is the body of a node that serves a Raft-replicated service
// from a data directory (raftkv's and shardkv's nodes): its storage and
// its Host, opened together, and, once Serve has run, its Raft peer as its
// Halter. Stop kills the service, then closes the Host and the storage. It
// is a Stopper and a Halter.
type DiskNode struct {
	Halter
	// Store is the node's storage, for its Raft peer and service.
	Store *storage.FilePersister
	// Host dials the node's peers and serves its services.
	Host *Host
	// Logger is the node's logger, tagged node=Name.
	Logger *slog.Logger

	cfg  DiskConfig
	kill func()
}

// OpenDiskNode opens the node's storage in cfg.Dir and its Host. The
// host's transport tags what it logs itself with node=Link; the node's
// own lines (Logger, the storage's) carry node=Name, so no line names the
// node twice.
func OpenDiskNode(cfg DiskConfig) (*DiskNode, error) {
	base := cfg.Logger
	if base == nil {
		base = slog.New(slog.DiscardHandler)
	}
	logger := base.With("node", cfg.Name)
	store, err := storage.Open(cfg.Dir, storage.Options{NoSync: !cfg.Fsync, Logger: logger})
	if err != nil {
		return nil, err
	}
	host, err := NewHost(cfg.Link, cfg.Seed, cfg.SecretFile, base)
	if err != nil {
		return nil, errors.Join(err, store.Close())
	}
	return &DiskNode{Store: store, Host: host, Logger: logger, cfg: cfg}, nil
}

// Serve makes peer the node's Halter and kill the way Stop ends its
// service, registers rcvrs (the service and the peer) on a new server and
// serves it on addr. If that fails it stops the node and returns why.
func (n *DiskNode) Serve(addr string, peer Halter, kill func(), rcvrs ...any) error {
	n.Halter, n.kill = peer, kill
	srv := transport.NewServer()
	errs := make([]error, 0, len(rcvrs))
	for _, r := range rcvrs {
		errs = append(errs, srv.Register(r))
	}
	err := errors.Join(errs...)
	if err == nil {
		err = n.Host.Serve(addr, srv)
	}
	if err != nil {
		n.Stop()
		return err
	}
	n.Logger.Info("node started", "addr", addr, "dir", n.cfg.Dir, "fsync", n.cfg.Fsync)
	return nil
}

// Stop kills the service first (pending requests answer at once), then
// closes the listener, the clients and the storage.
func (n *DiskNode) Stop() error {
	if n.kill != nil {
		n.kill()
	}
	return errors.Join(n.Host.Close(), n.Store.Close())
}
