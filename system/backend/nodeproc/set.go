package nodeproc

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"syscall"
	"time"

	"faultline/system/backend"
)

// Stopper is a node running in process: Stop ends it at once, losing what
// it had not made durable, and releases its resources.
type Stopper interface {
	Stop() error
}

// Set is the nodes of one cluster, each either a child process (process
// mode) or goroutines of this process, with the powers the chaos controller
// uses: Kill, Restart, Pause and Resume by node name. A backend's Cluster
// embeds a *Set to implement backend.Killer and backend.Pauser.
type Set struct {
	names   []string
	process bool
	argv    func(i int) []string
	env     func(i int) []string
	netns   func(i int) string
	logPath func(i int) string
	inproc  func(i int) (Stopper, error)
	after   func(ctx context.Context, i int) error
	exited  func(i int, err error)
	stdio   func(i int) (stdin, stdout *os.File, err error)
	started func(i int, p *Proc)
	grace   time.Duration
	stopSig syscall.Signal
	release func() error
	prefix  string // for errors: the backend's name

	mu       sync.Mutex
	procs    []*Proc
	nodes    []Stopper
	stopped  bool
	watchers sync.WaitGroup // one per process started, until it exited
}

// SetConfig describes a Set.
type SetConfig struct {
	// Backend names the backend in errors.
	Backend string
	// Names are the nodes' names, in order.
	Names []string
	// Mode says whether nodes are processes or in-process.
	Mode backend.Mode
	// Exec and Config make node i's command (process mode): Exec followed
	// by Config(i) rendered as arguments (EncodeArgs), which the node's
	// RunNode decodes. Config is called at every start, so the command
	// may differ between restarts; a nil Config adds no arguments.
	Exec   []string
	Config func(i int) any
	// Argv, if set, makes node i's whole command instead of Exec and
	// Config (process mode), for nodes that are not the bench binary;
	// it is called at every start.
	Argv func(i int) []string
	// Env, if set, returns variables added to node i's environment
	// (process mode).
	Env func(i int) []string
	// Netns, if set, returns the network namespace node i's process
	// starts in (Network.Netns; process mode).
	Netns func(i int) string
	// Dir is the cluster's directory: node i's output goes to
	// Dir/NAME.log (process mode).
	Dir string
	// InProcess starts node i in this process (in-process mode).
	InProcess func(i int) (Stopper, error)
	// Restarted, if set, is called by Restart once it started killed node
	// i again (not when the node was running); its error is Restart's.
	// Backends give the node back what it lost, such as link faults.
	Restarted func(ctx context.Context, i int) error
	// Exited, if set, is called when node i's process exits by itself
	// (not by Kill or Stop), with how it ended (Proc.Err). The node then
	// counts as killed: Restart starts it again. It runs on a goroutine of
	// the Set and must not wait for the Set's Stop.
	Exited func(i int, err error)
	// Stdio, if set, is called at every start of node i's process
	// (process mode) for its stdin and stdout: the child's ends of pipes
	// whose other ends the caller keeps. The Set closes them in this
	// process once the child holds them (Command.Stdin, Command.Stdout);
	// the process's stderr still goes to Dir/NAME.log.
	Stdio func(i int) (stdin, stdout *os.File, err error)
	// Started, if set, is called with node i's process each time Start
	// started it (process mode), before Start returns and before anything
	// else of the Set can see it exit: a caller that talks to the process
	// (through Stdio's pipes) learns which process it talks to. It runs
	// under the Set's lock and must not call the Set.
	Started func(i int, p *Proc)
	// StopGrace is how long Stop waits after SIGTERM before it SIGKILLs a
	// node's process group; zero means StopGrace.
	StopGrace time.Duration
	// StopSignal is what Stop sends a node's process first; zero means
	// SIGTERM.
	StopSignal syscall.Signal
	// Release, if set, is called by the first Stop once every node
	// stopped, to close what the cluster holds besides its nodes (admin
	// connections, proxies); its error joins Stop's.
	Release func() error
}

// NewSet returns a Set with no node running.
func NewSet(cfg SetConfig) *Set {
	argv := func(i int) []string {
		if cfg.Config == nil {
			return slices.Clone(cfg.Exec)
		}
		return append(slices.Clone(cfg.Exec), EncodeArgs(cfg.Config(i))...)
	}
	if cfg.Argv != nil {
		argv = cfg.Argv
	}
	logPath := func(i int) string { return filepath.Join(cfg.Dir, cfg.Names[i]+".log") }
	return &Set{
		names: slices.Clone(cfg.Names), process: cfg.Mode == backend.ModeProcess,
		argv: argv, env: cfg.Env, netns: cfg.Netns, logPath: logPath, inproc: cfg.InProcess, prefix: cfg.Backend,
		after: cfg.Restarted, exited: cfg.Exited, release: cfg.Release,
		stdio: cfg.Stdio, started: cfg.Started, grace: cfg.StopGrace, stopSig: cfg.StopSignal,
		procs: make([]*Proc, len(cfg.Names)), nodes: make([]Stopper, len(cfg.Names)),
	}
}

// Nodes returns the nodes' names, in order: a cluster that embeds its Set
// has backend.Cluster's Nodes from it.
func (s *Set) Nodes() []string { return slices.Clone(s.names) }

// Index returns the position of the node called name.
func (s *Set) Index(name string) (int, error) {
	if i := slices.Index(s.names, name); i >= 0 {
		return i, nil
	}
	return 0, fmt.Errorf("%s: unknown node %q (have %v)", s.prefix, name, s.names)
}

// Start starts node i in the set's mode. Starting a node of a stopped Set
// fails (and leaves nothing running).
func (s *Set) Start(i int) error {
	if s.process {
		c := Command{Argv: s.argv(i), Log: s.logPath(i), Grace: s.grace, StopSignal: s.stopSig}
		if s.env != nil {
			c.Env = s.env(i)
		}
		if s.netns != nil {
			c.Netns = s.netns(i)
		}
		if s.stdio != nil {
			var err error
			if c.Stdin, c.Stdout, err = s.stdio(i); err != nil {
				return fmt.Errorf("%s: node %s: stdio: %w", s.prefix, s.names[i], err)
			}
		}
		p, err := Start(c)
		if err != nil {
			return fmt.Errorf("%s: node %s: %w", s.prefix, s.names[i], err)
		}
		s.mu.Lock()
		defer s.mu.Unlock()
		if s.stopped {
			_ = p.Kill()
			return s.errStopped(i)
		}
		if s.started != nil {
			s.started(i, p)
		}
		s.procs[i] = p
		s.watchers.Add(1)
		go s.watch(i, p)
		return nil
	}
	n, err := s.inproc(i)
	if err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.stopped {
		_ = n.Stop()
		return s.errStopped(i)
	}
	s.nodes[i] = n
	return nil
}

func (s *Set) errStopped(i int) error {
	return fmt.Errorf("%s: start %s: cluster stopped", s.prefix, s.names[i])
}

// watch waits for process p of node i to exit; if it is still the node's
// process then, it exited by itself: the node counts as killed and the
// Exited hook hears of it.
func (s *Set) watch(i int, p *Proc) {
	defer s.watchers.Done()
	<-p.Done()
	s.mu.Lock()
	self := s.procs[i] == p
	if self {
		s.procs[i] = nil
	}
	s.mu.Unlock()
	if self && s.exited != nil {
		s.exited(i, p.Err())
	}
}

// StartAll starts every node, then waits for ready (if not nil) to say the
// cluster serves; on an error it stops the Set.
func (s *Set) StartAll(ctx context.Context, ready func(context.Context) error) error {
	var err error
	for i := range s.names {
		if err = s.Start(i); err != nil {
			break
		}
	}
	if err == nil && ready != nil {
		err = ready(ctx)
	}
	if err != nil {
		s.Stop(context.Background())
	}
	return err
}

// Kill crashes a node: SIGKILL to its process group, or an immediate stop
// in process. Killing a dead node does nothing.
func (s *Set) Kill(_ context.Context, name string) error {
	i, err := s.Index(name)
	if err != nil {
		return err
	}
	s.mu.Lock()
	n, p := s.nodes[i], s.procs[i]
	s.nodes[i], s.procs[i] = nil, nil
	s.mu.Unlock()
	switch {
	case p != nil:
		return p.Kill()
	case n != nil:
		return n.Stop()
	}
	return nil
}

// Restart brings a killed node back (from its data directory, as the node
// itself does), then calls SetConfig.Restarted. Restarting a running node
// does nothing.
func (s *Set) Restart(ctx context.Context, name string) error {
	i, err := s.Index(name)
	if err != nil {
		return err
	}
	s.mu.Lock()
	running, stopped := s.nodes[i] != nil || s.procs[i] != nil, s.stopped
	s.mu.Unlock()
	if stopped {
		return s.errStopped(i)
	}
	if running {
		return nil
	}
	if err := s.Start(i); err != nil {
		return err
	}
	if s.after != nil {
		return s.after(ctx, i)
	}
	return nil
}

// Pause freezes a node with SIGSTOP; in-process nodes cannot be paused.
func (s *Set) Pause(ctx context.Context, name string) error {
	p, err := s.proc(name, "pause")
	if err != nil {
		return err
	}
	return p.Pause(ctx)
}

// Resume thaws a paused node.
func (s *Set) Resume(ctx context.Context, name string) error {
	p, err := s.proc(name, "resume")
	if err != nil {
		return err
	}
	return p.Resume(ctx)
}

func (s *Set) proc(name, what string) (*Proc, error) {
	if !s.process {
		return nil, fmt.Errorf("%s: %s in-process node %s: %w", s.prefix, what, name, backend.ErrUnsupported)
	}
	i, err := s.Index(name)
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	p := s.procs[i]
	s.mu.Unlock()
	if p == nil {
		return nil, fmt.Errorf("%s: %s %s: node is not running", s.prefix, what, name)
	}
	return p, nil
}

// InProcess returns in-process node i, or nil while it is killed or in
// process mode.
func (s *Set) InProcess(i int) Stopper {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.nodes[i]
}

// Pid returns the process id of the node called name, or 0 while it is not
// running as a process.
func (s *Set) Pid(name string) int {
	i, err := s.Index(name)
	if err != nil {
		return 0
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if p := s.procs[i]; p != nil {
		return p.Pid()
	}
	return 0
}

// Pids returns the process ids of the running node processes.
func (s *Set) Pids() []int {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []int
	for _, p := range s.procs {
		if p != nil {
			out = append(out, p.Pid())
		}
	}
	return out
}

// Stop stops every node in parallel (in-process nodes at once, processes
// with SIGTERM then, after StopGrace, SIGKILL), waits, and then calls
// SetConfig.Release. Later Restarts fail. It is safe to call more than
// once; later calls do nothing.
func (s *Set) Stop(ctx context.Context) error {
	s.mu.Lock()
	first := !s.stopped
	s.stopped = true
	nodes, procs := s.nodes, s.procs
	s.nodes, s.procs = make([]Stopper, len(nodes)), make([]*Proc, len(procs))
	s.mu.Unlock()
	var wg sync.WaitGroup
	errs := make([]error, len(nodes)+len(procs))
	for i, n := range nodes {
		if n != nil {
			wg.Add(1)
			go func() { defer wg.Done(); errs[i] = n.Stop() }()
		}
	}
	for i, p := range procs {
		if p != nil {
			wg.Add(1)
			go func() { defer wg.Done(); errs[len(nodes)+i] = p.Stop(ctx) }()
		}
	}
	wg.Wait()
	s.watchers.Wait()
	if first && s.release != nil {
		errs = append(errs, s.release())
	}
	return errors.Join(errs...)
}
