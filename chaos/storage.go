package chaos

import (
	"context"
	"fmt"
	"path"
	"strings"
	"sync"

	"gopkg.in/yaml.v3"

	"faultline/system/backend"
	"faultline/transport"
)

// storageKinds describes the storage kinds, for Kinds.
func storageKinds() [][2]string {
	return [][2]string{
		{string(KindPowerLoss), "kill target nodes and drop what they wrote but did not fsync (mode drop-unsynced | keep-random-prefix | tear-last-write | tear-last-sector); restart when the window ends, or at once without for"},
		{string(KindDiskFull), "writes and fsyncs of target nodes fail with ENOSPC for the window (optional budget: bytes first)"},
		{string(KindIOError), "ops (read, write, fsync; default all) on target nodes' files matching files fail with EIO for the window"},
		{string(KindSlowDisk), "fsyncs (writes too with writes: true) of target nodes delayed by delay, jitter, distribution like a network fault"},
		{string(KindCorrupt), "flip bits (offset, length, bits) of a file matching files on target nodes, at rest for good, or on_read for the window"},
	}
}

// storage reports whether k acts on the nodes' storage (a
// backend.StorageFaulter).
func (k Kind) storage() bool {
	switch k {
	case KindPowerLoss, KindDiskFull, KindIOError, KindSlowDisk, KindCorrupt:
		return true
	}
	return false
}

// forOptional reports whether a window of kind k may leave out for: a
// power loss without it restarts the nodes at once, and a corruption at
// rest lasts for good (for goes with on_read).
func (k Kind) forOptional() bool { return k == KindPowerLoss || k == KindCorrupt }

// StorageFaults reports whether the schedule has storage faults: the
// cluster must then be started with backend.Spec.StorageFaults (the
// runner asks, runner.StorageNemesis), and without any it mounts nothing.
func (n *Nemesis) StorageFaults() bool {
	for i := range n.sched.Entries {
		if n.sched.Entries[i].Fault.storage() {
			return true
		}
	}
	return false
}

// storage reads the keys of a storage kind.
func (p *parser) storage(e *Entry, n *yaml.Node, vals map[string]*yaml.Node, paths map[string]string) {
	p.target(e, vals, paths, TargetRandom, nil)
	s := &e.Storage
	s.Kind = backend.StorageKind(e.Fault)
	switch e.Fault {
	case KindPowerLoss:
		e.Loss = backend.LossDropUnsynced
		if v, ok := vals["mode"]; ok {
			var modes []string
			for _, m := range backend.LossModes() {
				modes = append(modes, string(m))
			}
			if p.oneOf(v, paths["mode"], "power loss mode", modes...) {
				e.Loss = backend.LossMode(v.Value)
			}
		}
	case KindDiskFull:
		s.Budget = p.bytes(vals, paths, "budget")
	case KindIOError:
		s.Pattern = p.pattern(vals, paths)
		if v, ok := vals["ops"]; ok {
			ops := p.strings(v, paths["ops"])
			for i, op := range ops {
				switch op {
				case "read":
					s.Read = true
				case "write":
					s.Write = true
				case "fsync":
					s.Fsync = true
				default:
					p.add(v, fmt.Sprintf("%s[%d]", paths["ops"], i), "unknown op %q, want read, write or fsync", op)
				}
			}
			if len(ops) == 0 {
				p.add(v, paths["ops"], "want at least one of read, write, fsync")
			}
		}
	case KindSlowDisk:
		var l transport.LinkFaults
		p.latency(&l, vals, paths)
		s.Delay, s.Jitter, s.Distribution = l.Delay, l.Jitter, string(l.Distribution)
		if l.Delay == 0 && l.Jitter == 0 {
			p.add(n, e.Path, "a slow-disk fault needs delay or jitter")
		}
		s.Writes = p.flag(vals, paths, "writes")
	case KindCorrupt:
		s.Pattern = p.pattern(vals, paths)
		s.Offset, s.Length = p.bytes(vals, paths, "offset"), p.bytes(vals, paths, "length")
		s.Bits = 1
		if v, ok := vals["bits"]; ok {
			s.Bits = p.int64Range(v, paths["bits"], 1, 1<<20)
		}
		s.OnRead = p.flag(vals, paths, "on_read")
		if v, ok := vals["for"]; ok && !s.OnRead {
			p.add(v, paths["for"], "a corruption at rest lasts for good; for goes with on_read: true")
		} else if !ok && s.OnRead {
			p.add(n, e.Path+".for", "missing: how long reads are corrupted")
		}
	}
}

// pattern reads files, a path.Match pattern of paths in a data directory.
func (p *parser) pattern(vals map[string]*yaml.Node, paths map[string]string) string {
	v, ok := vals["files"]
	if !ok {
		return ""
	}
	s, ok := p.scalar(v, paths["files"], "a file pattern such as \"wal/*\"")
	if _, err := path.Match(s, ""); ok && err != nil {
		p.add(v, paths["files"], "%q is not a pattern: %v", s, err)
	}
	return s
}

// bytes reads an optional count of bytes, >= 0.
func (p *parser) bytes(vals map[string]*yaml.Node, paths map[string]string, key string) int64 {
	v, ok := vals[key]
	if !ok {
		return 0
	}
	i := p.int(v, paths[key])
	if i < 0 {
		p.add(v, paths[key], "want a number of bytes >= 0")
	}
	return i
}

// flag reads an optional boolean key.
func (p *parser) flag(vals map[string]*yaml.Node, paths map[string]string, key string) bool {
	v, ok := vals[key]
	if !ok {
		return false
	}
	if p.oneOf(v, paths[key], key, "true", "false") {
		return v.Value == "true"
	}
	return false
}

// storageNeeds is what a storage kind needs of a cluster.
func storageNeeds(k Kind) []backend.Power {
	if k == KindPowerLoss {
		return []backend.Power{backend.PowerKill, backend.PowerStorage}
	}
	return []backend.Power{backend.PowerStorage}
}

// powerLossOps kills each node, loses its power and restarts it when the
// window ends; the notes are what each loss dropped.
func (n *Nemesis) powerLossOps(e *Entry) nodeOps {
	var mu sync.Mutex
	var notes []string
	return nodeOps{mark: n.down, verb: "power-loss (" + string(e.Loss) + ")", unverb: "restart", undo: n.killer.Restart,
		do: func(ctx context.Context, x string) error {
			if err := n.killer.Kill(ctx, x); err != nil {
				return err
			}
			acc, err := n.storage.LosePower(ctx, x, e.Loss)
			if err != nil {
				// Back up, so that a retry starts from a running node.
				return fmt.Errorf("lose power: %w (restart: %v)", err, n.killer.Restart(ctx, x))
			}
			mu.Lock()
			notes = append(notes, x+": "+acc)
			mu.Unlock()
			return nil
		},
		notes: func() string { mu.Lock(); defer mu.Unlock(); return strings.Join(notes, "; ") },
	}
}

// storageOps begins e's storage fault on each node and heals it when
// the window ends; the notes say what each did.
func (n *Nemesis) storageOps(e *Entry) nodeOps {
	var mu sync.Mutex
	var notes []string
	heals := map[string]func(context.Context) error{}
	return nodeOps{mark: map[string]bool{}, verb: string(e.Fault), unverb: "heal",
		do: func(ctx context.Context, x string) error {
			w, err := n.storage.StorageFault(ctx, x, e.Storage)
			if err != nil {
				return err
			}
			mu.Lock()
			defer mu.Unlock()
			heals[x] = w.Heal
			notes = append(notes, x+": "+w.Desc)
			return nil
		},
		undo: func(ctx context.Context, x string) error {
			mu.Lock()
			h := heals[x]
			mu.Unlock()
			return h(ctx)
		},
		notes: func() string { mu.Lock(); defer mu.Unlock(); return strings.Join(notes, "; ") },
	}
}
