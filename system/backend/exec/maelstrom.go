package exec

import (
	"context"
	"fmt"
	osexec "os/exec"
	"slices"
	"syscall"

	"faultline/system/backend"
	mbackend "faultline/system/backend/maelstrom"
	"faultline/system/maelstrom"
)

// Protocol maelstrom-lin-kv: the nodes are Maelstrom-protocol programs
// (JSON lines on stdin and stdout) that serve lin-kv reads and writes, run
// by the maelstrom backend's cluster: its supervisor, router (the link
// fault table) and clients. Such a node learns its id from Maelstrom's
// init message, so its command must be the same for every node; its own
// directory is named by the environment variable MAELSTROM_NODE_DIR.

// maelstromArgv renders the one command of a maelstrom-lin-kv
// description's nodes, refusing what the maelstrom backend cannot run.
func maelstromArgv(d *Description) ([]string, error) {
	bad := func(format string, args ...any) error {
		return &posError{file: d.File, line: d.Protocol.line, path: "protocol", msg: fmt.Sprintf(format, args...)}
	}
	switch {
	case len(d.Roles) != 1:
		return nil, bad("%s runs one role, not %d", ProtoMaelstrom, len(d.Roles))
	case len(d.Roles[0].Env) > 0 || len(d.Roles[0].Files) > 0 || len(d.Roles[0].Ready.Command) > 0:
		return nil, bad("%s nodes take no env, files or ready command (their readiness is Maelstrom's init)", ProtoMaelstrom)
	case d.Stop.Signal != syscall.SIGTERM:
		return nil, bad("%s nodes are stopped with TERM", ProtoMaelstrom)
	}
	p := newPlan(d, fakeAddrs(addrsNeeded(d)))
	var argv []string
	for i := range d.Nodes() {
		v := p.vars(i, "/cluster", "/cluster/node", 1)
		a, err := v.renderAll("command", d.Roles[0].Command)
		if err != nil {
			return nil, err
		}
		if i > 0 && !slices.Equal(a, argv) {
			return nil, bad("%s nodes learn their id from init: the command must be the same for every node, but n0's is %q and %s's %q",
				ProtoMaelstrom, argv, nodeName(i), a)
		}
		argv = a
	}
	return argv, nil
}

// startMaelstrom starts a maelstrom-lin-kv cluster.
func startMaelstrom(ctx context.Context, spec backend.Spec, d *Description) (backend.Cluster, error) {
	argv, err := maelstromArgv(d)
	if err != nil {
		return nil, err
	}
	bin, err := osexec.LookPath(argv[0])
	if err != nil {
		return nil, fmt.Errorf("exec: %w", err)
	}
	c, err := mbackend.Start(ctx, mbackend.Config{Dir: spec.Dir, Nodes: d.Nodes(), Bin: bin, Args: argv[1:], NodeDir: true,
		InitTimeout: d.Roles[0].Ready.Within, StopGrace: d.Stop.Grace, Logger: spec.Logger,
		Network: maelstrom.RouterConfig{Seed: spec.Seed, Logger: spec.Logger}})
	if err != nil {
		return nil, fmt.Errorf("exec: %w", err)
	}
	return c, nil
}
