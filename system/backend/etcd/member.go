package etcd

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"os/signal"
	"strings"
	"syscall"

	"go.etcd.io/etcd/server/v3/embed"
	"go.uber.org/zap"

	"faultline/system/backend/nodeproc"
)

// MemberConfig describes one etcd member.
type MemberConfig struct {
	// Name is the member's name in the cluster ("n0").
	Name string
	// Dir is the member's data directory.
	Dir string
	// Client is the "host:port" the member serves clients on.
	Client string
	// PeerListen is the "host:port" the member accepts peer traffic on.
	PeerListen string `arg:"peer-listen"`
	// Cluster lists every member as name=http://advertised-peer-host:port,
	// comma-separated, in etcd's initial-cluster syntax. The entry of this
	// member is its advertised peer URL, which may point at a proxy in
	// front of PeerListen.
	Cluster string
	// Fsync makes etcd fsync its WAL and backend; false sets etcd's
	// UnsafeNoFsync.
	Fsync bool
	// TickMs and ElectionMs are etcd's heartbeat interval and election
	// timeout in milliseconds; zero keeps etcd's defaults (100, 1000).
	TickMs     uint `arg:"tick-ms"`
	ElectionMs uint `arg:"election-ms"`
	// SnapshotCount is etcd's snapshot-count; zero keeps its default.
	SnapshotCount uint64 `arg:"snapshot-count"`
}

// Validate checks the config.
func (c MemberConfig) Validate() error {
	switch {
	case c.Name == "":
		return errors.New("etcd: member config: Name is empty")
	case c.Dir == "":
		return errors.New("etcd: member config: Dir is empty")
	case c.Client == "":
		return errors.New("etcd: member config: Client is empty")
	case c.PeerListen == "":
		return errors.New("etcd: member config: PeerListen is empty")
	case c.Cluster == "":
		return errors.New("etcd: member config: Cluster is empty")
	}
	if _, err := c.advertisedPeer(); err != nil {
		return err
	}
	return nil
}

// advertisedPeer finds this member's URL in Cluster.
func (c MemberConfig) advertisedPeer() (string, error) {
	for _, m := range strings.Split(c.Cluster, ",") {
		name, u, ok := strings.Cut(m, "=")
		if ok && name == c.Name {
			return u, nil
		}
	}
	return "", fmt.Errorf("etcd: member config: Cluster = %q has no entry for %q", c.Cluster, c.Name)
}

// embedConfig turns c into an embed.Config. A nil logger keeps etcd's own
// zap logger at level warn on stderr.
func (c MemberConfig) embedConfig(lg *zap.Logger) (*embed.Config, error) {
	if err := c.Validate(); err != nil {
		return nil, err
	}
	adv, _ := c.advertisedPeer()
	parse := func(field, s string) (url.URL, error) {
		u, err := url.Parse(s)
		if err != nil {
			return url.URL{}, fmt.Errorf("etcd: member config: %s = %q: %w", field, s, err)
		}
		return *u, nil
	}
	client, err := parse("Client", "http://"+c.Client)
	if err != nil {
		return nil, err
	}
	peer, err := parse("PeerListen", "http://"+c.PeerListen)
	if err != nil {
		return nil, err
	}
	advPeer, err := parse("Cluster", adv)
	if err != nil {
		return nil, err
	}
	cfg := embed.NewConfig()
	cfg.Name = c.Name
	cfg.Dir = c.Dir
	cfg.ListenClientUrls = []url.URL{client}
	cfg.AdvertiseClientUrls = []url.URL{client}
	cfg.ListenPeerUrls = []url.URL{peer}
	cfg.AdvertisePeerUrls = []url.URL{advPeer}
	cfg.InitialCluster = c.Cluster
	cfg.InitialClusterToken = clusterToken
	// "new" is ignored once the data directory holds a WAL, so restarts
	// recover from it.
	cfg.ClusterState = embed.ClusterStateFlagNew
	cfg.UnsafeNoFsync = !c.Fsync
	if c.TickMs > 0 {
		cfg.TickMs = c.TickMs
	}
	if c.ElectionMs > 0 {
		cfg.ElectionMs = c.ElectionMs
	}
	if c.SnapshotCount > 0 {
		cfg.SnapshotCount = c.SnapshotCount
	}
	cfg.EnableGRPCGateway = false
	// NewConfig leaves this zero, which logs every request as slow; the
	// etcd binary's flag default is 300ms.
	cfg.WarningUnaryRequestDuration = embed.DefaultWarningUnaryRequestDuration
	cfg.LogLevel = "warn"
	if lg != nil {
		cfg.ZapLoggerBuilder = embed.NewZapLoggerBuilder(lg)
	}
	return cfg, nil
}

// member is one etcd server running in this process.
type member struct {
	e *embed.Etcd
}

// startMember starts an embedded etcd server. It returns without waiting
// for the member to join a quorum.
func startMember(cfg MemberConfig, lg *zap.Logger) (*member, error) {
	ecfg, err := cfg.embedConfig(lg)
	if err != nil {
		return nil, err
	}
	e, err := embed.StartEtcd(ecfg)
	if err != nil {
		return nil, fmt.Errorf("etcd: start member %s: %w", cfg.Name, err)
	}
	return &member{e: e}, nil
}

// kill stops the member without handing over leadership, then releases
// its listeners and files, as close to a crash as an in-process server
// allows.
func (m *member) kill() {
	m.e.Server.HardStop()
	m.e.Close()
}

// Stop kills the member (see kill); it implements nodeproc.Stopper, for
// the node Set both kills and stops in-process members this way.
func (m *member) Stop() error {
	m.kill()
	return nil
}

// stop stops the member gracefully (a leader hands over leadership first).
func (m *member) stop() {
	m.e.Close()
}

// decodeMember reads a member's config from its node arguments
// (nodeproc.EncodeArgs of a MemberConfig) and checks it.
func decodeMember(args []string) (MemberConfig, error) {
	cfg := MemberConfig{Fsync: true}
	if err := nodeproc.DecodeArgs(args, &cfg); err != nil {
		return cfg, fmt.Errorf("etcd: %w", err)
	}
	return cfg, cfg.Validate()
}

// RunNode runs one etcd member, configured by args (--name, --dir,
// --client, --peer-listen, --cluster, --fsync, --tick-ms, --election-ms,
// --snapshot-count), until ctx ends, the process receives SIGTERM or
// SIGINT, or the server fails; then it closes the member and returns.
// etcd's warnings go to stderr.
func RunNode(ctx context.Context, args []string) error {
	cfg, err := decodeMember(args)
	if err != nil {
		return err
	}
	ctx, cancel := signal.NotifyContext(ctx, syscall.SIGTERM, syscall.SIGINT)
	defer cancel()
	m, err := startMember(cfg, nil)
	if err != nil {
		return err
	}
	select {
	case <-ctx.Done():
		m.stop()
		return nil
	case err := <-m.e.Err():
		m.kill()
		return fmt.Errorf("etcd: member %s: %w", cfg.Name, err)
	case <-m.e.Server.StopNotify():
		m.stop()
		return fmt.Errorf("etcd: member %s stopped on its own", cfg.Name)
	}
}
