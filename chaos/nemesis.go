package chaos

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"sync"
	"time"

	"faultline/system/backend"
	"faultline/transport"
	"faultline/workloads"
	"faultline/workloads/results"
	"faultline/workloads/runner"
)

// Nemesis applies a Schedule to a cluster. It implements runner.Nemesis.
// Build one with New (from a config) or NewNemesis (from a Schedule).
type Nemesis struct {
	sched   *Schedule
	backend string        // backend name, for errors
	seed    int64         // seed of times, targets and shapes
	runLen  time.Duration // length of the measured run, 0 if unknown

	leaderWait time.Duration // bound on finding a leader for a fault
	healWait   time.Duration // bound on the final heal's retries of one window

	// Set by Setup.
	cluster backend.Cluster
	nodes   []string
	net     transport.LinkFaulter
	killer  backend.Killer
	pauser  backend.Pauser
	leader  backend.LeaderFinder
	members backend.Membership
	storage backend.StorageFaulter

	mu      sync.Mutex
	rng     *rand.Rand
	active  map[int]*window                            // windows in effect, by event id
	down    map[string]bool                            // killed nodes
	paused  map[string]bool                            // paused nodes
	links   map[[2]string]map[int]transport.LinkFaults // each window's faults per link
	joined  []int                                      // serving groups, when tracked here
	tracked bool                                       // joined is known
	nextID  int                                        // last window id given out
}

var _ runner.Nemesis = (*Nemesis)(nil)

// window is a fault in effect (or partly in effect, being undone).
type window struct {
	id     int  // the controller's id, keying active and links
	ev     int  // the event id of its window in the history
	opened bool // ev is set: the fault completely took effect
	entry  *Entry
	nodes  []string
	links  [][2]string // the links it faults, for a network fault or partition
	undo   func(ctx context.Context) error
	// f is the occurrence's record, nil for a fault that only partly took
	// effect (fire records those); heals counts the tries to undo it.
	f     *results.Fault
	heals attempts
}

// New builds the nemesis of cfg's fault schedule (cfg.Faults), checking the
// schedule against the config: its errors are workloads.FieldErrors with
// paths under "faults". The schedule's seed defaults to cfg.Seed; the final
// heal comes Recovery before the end of the measured phases.
func New(cfg *workloads.Config) (*Nemesis, error) {
	s, err := Parse(&cfg.Faults, "faults")
	if err != nil {
		return nil, err
	}
	var runLen time.Duration
	for _, p := range cfg.MeasuredPhases() {
		if p.Duration <= 0 {
			runLen = 0 // a phase bounded by ops only: length unknown
			break
		}
		runLen += p.Duration.D()
	}
	if err := s.check(runLen); err != nil {
		return nil, err
	}
	seed := s.Seed
	if seed == 0 {
		seed = cfg.Seed
	}
	return NewNemesis(s, cfg.Backend.Name, seed, runLen), nil
}

// NewNemesis returns a nemesis applying s with seed, in a measured run of
// length runLen (zero if unknown: then faults run until the run ends and
// only Heal heals them). backendName names the backend in errors.
func NewNemesis(s *Schedule, backendName string, seed int64, runLen time.Duration) *Nemesis {
	return &Nemesis{
		sched: s, backend: backendName, seed: seed, runLen: runLen, leaderWait: defaultLeaderWait, healWait: defaultHealWait,
		rng:    rand.New(rand.NewPCG(uint64(seed), 0xbb67ae8584caa73b)),
		active: map[int]*window{}, down: map[string]bool{}, paused: map[string]bool{},
		links: map[[2]string]map[int]transport.LinkFaults{},
	}
}

// Schedule returns the schedule the nemesis applies.
func (n *Nemesis) Schedule() *Schedule { return n.sched }

// check validates the schedule's times against a run of length runLen.
func (s *Schedule) check(runLen time.Duration) error {
	if runLen <= 0 {
		return nil
	}
	var es workloads.Errors
	heal := s.healAt(runLen)
	if heal <= 0 {
		return workloads.Errors{{Path: "faults.recovery",
			Msg: fmt.Sprintf("recovery %v leaves no time for faults in a %v run", s.Recovery, runLen)}}
	}
	for i := range s.Entries {
		e := &s.Entries[i]
		switch {
		case e.Timing == Once && e.At >= heal:
			es = append(es, &workloads.FieldError{Path: e.Path + ".at", Line: e.Line,
				Msg: fmt.Sprintf("at %v is not before the final heal at %v (run %v minus recovery %v)", e.At, heal, runLen, s.Recovery)})
		case e.Timing == Every && e.Start >= heal:
			es = append(es, &workloads.FieldError{Path: e.Path + ".start", Line: e.Line,
				Msg: fmt.Sprintf("the first firing at %v is not before the final heal at %v (run %v minus recovery %v)", e.Start, heal, runLen, s.Recovery)})
		}
	}
	if len(es) > 0 {
		return es
	}
	return nil
}

// Setup implements runner.Nemesis: it finds the powers the schedule needs
// and refuses, naming each fault and the backend, if the cluster lacks any.
func (n *Nemesis) Setup(ctx context.Context, c backend.Cluster) error {
	n.cluster = c
	n.nodes = c.Nodes()
	n.killer, _ = c.(backend.Killer)
	n.pauser, _ = c.(backend.Pauser)
	n.leader, _ = c.(backend.LeaderFinder)
	n.members, _ = c.(backend.Membership)
	n.storage, _ = c.(backend.StorageFaulter)
	if fs, ok := c.(FaultSeam); ok {
		n.net = fs.Faults()
	}
	var errs []error
	need := func(e *Entry, ok bool, power string) {
		if !ok {
			errs = append(errs, fmt.Errorf("%s (%s): backend %q cannot: it has no %s: %w", e, e.Path, n.backend, power, backend.ErrUnsupported))
		}
	}
	for i := range n.sched.Entries {
		e := &n.sched.Entries[i]
		if e.Target == TargetLeader {
			need(e, n.leader != nil, "leader finder (backend.LeaderFinder)")
		}
		for _, msg := range e.nodeProblems(n.nodes) {
			errs = append(errs, fmt.Errorf("%s (%s): backend %q: %s: %w", e, e.Path, n.backend, msg, backend.ErrUnsupported))
		}
		switch e.Fault {
		case KindKill:
			need(e, n.killer != nil, "kill/restart (backend.Killer)")
		case KindPause:
			need(e, n.pauser != nil, "pause/resume (backend.Pauser)")
		case KindJoin, KindLeave, KindMove:
			need(e, n.members != nil, "membership changes (backend.Membership)")
		case KindPowerLoss, KindDiskFull, KindIOError, KindSlowDisk, KindCorrupt:
			need(e, n.storage != nil, "storage faults (backend.StorageFaulter)")
			need(e, e.Fault != KindPowerLoss || n.killer != nil, "kill/restart (backend.Killer)")
		case KindPartition, KindNetwork:
			need(e, n.net != nil, "network fault seam (chaos.FaultSeam)")
			if n.net != nil && e.Fault == KindNetwork {
				if err := transport.Supports(n.net, e.Link); err != nil {
					errs = append(errs, fmt.Errorf("%s (%s): backend %q: %w (%w)", e, e.Path, n.backend, err, backend.ErrUnsupported))
				}
			}
		}
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("chaos: %w", err)
	}
	if n.members != nil {
		if j, ok := c.(Joined); ok {
			if g, err := j.Joined(ctx); err == nil {
				n.joined, n.tracked = g, true
			}
		}
		if !n.tracked {
			n.joined, n.tracked = n.members.Groups(), true
		}
	}
	return nil
}

func flatten(links [][2]string) []string {
	var out []string
	for _, l := range links {
		out = append(out, l[0], l[1])
	}
	return out
}

// Run implements runner.Nemesis: it fires every entry of the schedule at
// its times until the final heal (or until ctx is done), then heals
// everything and returns, leaving the recovery window fault-free.
func (n *Nemesis) Run(ctx context.Context, ev *runner.Events) error {
	return n.run(ctx, ev)
}

// Heal implements runner.Nemesis: it undoes every fault still in effect
// and ends its window.
func (n *Nemesis) Heal(ctx context.Context, ev *runner.Events) error {
	return n.heal(ctx, ev)
}

func (n *Nemesis) run(ctx context.Context, ev recorder) error {
	if n.cluster == nil {
		return errors.New("chaos: Run before Setup")
	}
	start, base := time.Now(), ev.Now()
	end := n.sched.healAt(n.runLen)
	var wg sync.WaitGroup
	for i := range n.sched.Entries {
		wg.Go(func() {
			var fired sync.WaitGroup
			n.sched.times(i, n.seed, end, func(at time.Duration) bool {
				if !sleepUntil(ctx, start.Add(at)) {
					return false
				}
				fired.Go(func() { n.fire(ctx, ev, &n.sched.Entries[i], start, base, at, end) })
				return true
			})
			fired.Wait()
		})
	}
	wg.Wait()
	if ctx.Err() != nil {
		return nil // Heal undoes what is left
	}
	if end > 0 {
		if err := n.heal(ctx, ev); err != nil {
			return err
		}
		ev.Point("heal", nil, "final heal; recovery window")
	}
	<-ctx.Done()
	return nil
}

// fire applies one occurrence of e (at, within a run whose faults end at
// end; times since start, which is base on the run's clock), retrying
// until its window ends, undoes it when its window ends, and records it.
func (n *Nemesis) fire(ctx context.Context, ev recorder, e *Entry, start time.Time, base int64, at, end time.Duration) {
	until, deadline := at, start.Add(at+instantRetry)
	if e.Fault.window() {
		until = at + e.For
		if end > 0 && until > end {
			until = end
		}
		deadline = start.Add(until)
	} else if end > 0 && deadline.After(start.Add(end)) {
		deadline = start.Add(end)
	}
	o := &occurrence{e: e, f: newFault(e, base+int64(at), base+int64(until)), deadline: deadline}
	w, err := n.apply(ctx, ev, o)
	o.f.Attempts, o.f.Error = o.tries.n, errText(o.tries.lastErr)
	if w == nil {
		if err != nil {
			if ctx.Err() != nil {
				// The run ended first: the window was cut short.
				o.f.IntendedStopNS = max(o.f.IntendedStartNS, min(o.f.IntendedStopNS, ev.Now()))
			} else {
				ev.Point("nemesis-error", o.f.Nodes, fmt.Sprintf("%s (%s): never took effect after %d attempt(s): %v", e, e.Path, o.tries.n, err))
			}
		}
		ev.Fault(o.f)
		return
	}
	if !sleepUntil(ctx, start.Add(until)) {
		return // Heal undoes it
	}
	healBy := time.Now().Add(24 * time.Hour) // until ctx is done
	if end > 0 {
		healBy = start.Add(end)
	}
	n.finish(ctx, ev, w, healBy, false)
}

// finish undoes window w, retrying until deadline, and ends its event, if
// it is still active. When it cannot, w stays active for the final heal,
// unless this is the final heal (final): then w is recorded as never
// healed and its window left open.
func (n *Nemesis) finish(ctx context.Context, ev recorder, w *window, deadline time.Time, final bool) error {
	n.mu.Lock()
	_, ok := n.active[w.id]
	delete(n.active, w.id)
	n.mu.Unlock()
	if !ok {
		return nil
	}
	first := func(err error) {
		ev.Point("nemesis-error", w.nodes, fmt.Sprintf("undo %s (%s): %v; retrying", w.entry, w.entry.Path, err))
	}
	if w.heals.n > 0 {
		first = nil // already reported
	}
	err := retry(ctx, deadline, &w.heals, first, func() error { return w.undo(ctx) })
	if w.f != nil {
		w.f.HealAttempts, w.f.HealError = w.heals.n, errText(w.heals.lastErr)
	}
	if err != nil && !final {
		n.register(w)
		return err
	}
	if err != nil {
		ev.Point("nemesis-error", w.nodes, fmt.Sprintf("undo %s (%s): never healed after %d attempt(s): %v", w.entry, w.entry.Path, w.heals.n, err))
	} else if w.opened {
		ev.End(w.ev)
		if w.f != nil {
			w.f.StopNS = ev.Now()
		}
	}
	if w.f != nil {
		ev.Fault(*w.f)
	}
	return err
}

// heal undoes every window in effect, newest first, retrying each for up
// to n.healWait, and removes every link fault. A window it cuts short has
// its intended stop cut at now.
func (n *Nemesis) heal(ctx context.Context, ev recorder) error {
	now := ev.Now()
	n.mu.Lock()
	ws := make([]*window, 0, len(n.active))
	for _, w := range n.active {
		ws = append(ws, w)
	}
	n.mu.Unlock()
	slices.SortFunc(ws, func(a, b *window) int { return b.id - a.id })
	var errs []error
	for _, w := range ws {
		if w.f != nil {
			w.f.IntendedStopNS = max(w.f.IntendedStartNS, min(w.f.IntendedStopNS, now))
		}
		if err := n.finish(ctx, ev, w, time.Now().Add(n.healWait), true); err != nil {
			errs = append(errs, err)
		}
	}
	if n.net != nil {
		n.mu.Lock()
		clear(n.links)
		n.mu.Unlock()
		n.net.HealAll()
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("chaos: heal: %w", err)
	}
	return nil
}

// sleepUntil waits until t or ctx is done, reporting whether t came.
func sleepUntil(ctx context.Context, t time.Time) bool {
	d := time.Until(t)
	if d <= 0 {
		return ctx.Err() == nil
	}
	tm := time.NewTimer(d)
	defer tm.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-tm.C:
		return true
	}
}
