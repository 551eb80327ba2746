package faultfs

import (
	"fmt"
	"math/rand/v2"
	"path"
	"slices"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"faultline/transport"
)

// Ops selects the operations an IOError fails.
type Ops uint8

// Operations an IOError can fail.
const (
	OpRead Ops = 1 << iota
	OpWrite
	OpFsync
	// OpAll is every operation; a zero Ops means OpAll.
	OpAll = OpRead | OpWrite | OpFsync
)

// DiskFull is a full disk: once Budget more bytes have been written
// through the file system (0: at once), every write, fallocate, fsync and
// new directory entry fails with ENOSPC until healed. A write that would
// pass the budget fails whole.
type DiskFull struct {
	Budget int64
}

// IOError fails the chosen operations (Ops) with EIO on every file or
// directory whose path relative to the mount matches Pattern (path.Match
// syntax, "" for all). A failed write writes nothing; a failed fsync makes
// nothing durable.
type IOError struct {
	Pattern string
	Ops     Ops
}

// SlowDisk delays every fsync (and fdatasync, and directory fsync), and
// with Writes every write, by a latency drawn from Latency, the delay
// distribution of link faults: its Delay, Jitter and Distribution, and no
// other field.
type SlowDisk struct {
	Latency transport.LinkFaults
	Writes  bool
}

// Corrupt flips Bits distinct bits (default 1), chosen with the seed, in
// [Offset, Offset+Length) of File (a path relative to the mount). At
// rest (OnRead false) the bits are flipped in the backing file at once
// and for good; Heal does nothing. On read they are flipped in what every
// read of the file returns until healed, the file itself untouched.
type Corrupt struct {
	File           string
	Offset, Length int64
	Bits           int
	OnRead         bool
}

// Fault is one storage fault in force, returned by the method that began
// it.
type Fault struct {
	f       *FS
	id      uint64
	flipped []int64
}

// Heal ends the fault. It is idempotent.
func (w *Fault) Heal() {
	if w != nil && w.f != nil {
		w.f.heal(w.id)
	}
}

// Flipped returns the bits a Corrupt flips, as bit offsets in the file
// (byte offset*8 + bit, bit 0 the least significant), in increasing
// order.
func (w *Fault) Flipped() []int64 { return slices.Clone(w.flipped) }

// faultSet holds the faults in force.
type faultSet struct {
	// n counts the faults in force, so that operations skip every check
	// while it is zero.
	n      atomic.Int32
	mu     sync.Mutex
	nextID uint64
	full   []*fullFault
	ioerr  []*ioFault
	slow   []*slowFault
	rot    []*rotFault
}

type fullFault struct {
	id           uint64
	budget, used int64
}

type ioFault struct {
	id uint64
	IOError
}

type slowFault struct {
	id uint64
	SlowDisk
}

type rotFault struct {
	id      uint64
	file    string
	flipped []int64
}

func (s *faultSet) clear() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.full, s.ioerr, s.slow, s.rot = nil, nil, nil, nil
	s.n.Store(0)
}

// add registers a fault, calling put with its id under the lock.
func (s *faultSet) add(put func(id uint64)) uint64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.nextID++
	put(s.nextID)
	s.n.Add(1)
	return s.nextID
}

// DiskFull begins a disk-full fault.
func (f *FS) DiskFull(d DiskFull) (*Fault, error) {
	if d.Budget < 0 {
		return nil, fmt.Errorf("faultfs: disk-full: Budget = %d, want >= 0", d.Budget)
	}
	id := f.faults.add(func(id uint64) {
		f.faults.full = append(f.faults.full, &fullFault{id: id, budget: d.Budget})
	})
	return &Fault{f: f, id: id}, nil
}

// IOError begins an io-error fault.
func (f *FS) IOError(e IOError) (*Fault, error) {
	if _, err := path.Match(e.Pattern, ""); err != nil {
		return nil, fmt.Errorf("faultfs: io-error: Pattern %q: %w", e.Pattern, err)
	}
	if e.Ops&^OpAll != 0 {
		return nil, fmt.Errorf("faultfs: io-error: Ops = %#x, want a set of OpRead, OpWrite, OpFsync", e.Ops)
	}
	if e.Ops == 0 {
		e.Ops = OpAll
	}
	id := f.faults.add(func(id uint64) {
		f.faults.ioerr = append(f.faults.ioerr, &ioFault{id: id, IOError: e})
	})
	if e.Ops&OpRead != 0 {
		f.dropCache(func(rel string) bool { return matches(e.Pattern, rel) })
	}
	return &Fault{f: f, id: id}, nil
}

// SlowDisk begins a slow-disk fault.
func (f *FS) SlowDisk(d SlowDisk) (*Fault, error) {
	l := d.Latency
	if err := l.Validate(); err != nil {
		return nil, fmt.Errorf("faultfs: slow-disk: %w", err)
	}
	if (l != transport.LinkFaults{Delay: l.Delay, Jitter: l.Jitter, Distribution: l.Distribution}) {
		return nil, fmt.Errorf("faultfs: slow-disk: Latency sets more than Delay, Jitter and Distribution")
	}
	if l.Delay == 0 && l.Jitter == 0 {
		return nil, fmt.Errorf("faultfs: slow-disk: Latency has neither Delay nor Jitter")
	}
	id := f.faults.add(func(id uint64) {
		f.faults.slow = append(f.faults.slow, &slowFault{id: id, SlowDisk: d})
	})
	return &Fault{f: f, id: id}, nil
}

// heal removes fault id.
func (f *FS) heal(id uint64) {
	s := &f.faults
	s.mu.Lock()
	var healedRot *rotFault
	n := len(s.full) + len(s.ioerr) + len(s.slow) + len(s.rot)
	s.full = slices.DeleteFunc(s.full, func(x *fullFault) bool { return x.id == id })
	s.ioerr = slices.DeleteFunc(s.ioerr, func(x *ioFault) bool { return x.id == id })
	s.slow = slices.DeleteFunc(s.slow, func(x *slowFault) bool { return x.id == id })
	s.rot = slices.DeleteFunc(s.rot, func(x *rotFault) bool {
		if x.id == id {
			healedRot = x
		}
		return x.id == id
	})
	if len(s.full)+len(s.ioerr)+len(s.slow)+len(s.rot) < n {
		s.n.Add(-1)
	}
	s.mu.Unlock()
	if healedRot != nil {
		// The kernel may hold the corrupted pages it was given.
		f.dropCache(func(rel string) bool { return rel == healedRot.file })
	}
}

// matches reports whether rel matches an IOError pattern.
func matches(pattern, rel string) bool {
	if pattern == "" {
		return true
	}
	ok, _ := path.Match(pattern, rel)
	return ok
}

// ioFails reports whether an io-error fault fails op on rel.
func (s *faultSet) ioFails(op Ops, rel func() string) bool {
	if len(s.ioerr) == 0 {
		return false
	}
	name := rel()
	for _, e := range s.ioerr {
		if e.Ops&op != 0 && matches(e.Pattern, name) {
			return true
		}
	}
	return false
}

// admit applies the faults in force to an operation (OpRead, OpWrite or
// OpFsync) on rel, of n bytes for a write, and returns the error it fails
// with, or 0 once it may go on (after a slow disk's delay). A write
// spends disk-full budgets; an fsync fails on a spent one.
func (f *FS) admit(op Ops, rel func() string, n int64) syscall.Errno {
	if f.faults.n.Load() == 0 {
		return 0
	}
	s := &f.faults
	s.mu.Lock()
	if s.ioFails(op, rel) {
		s.mu.Unlock()
		return syscall.EIO
	}
	need := int64(0)
	if op == OpWrite {
		need = n
	}
	if op != OpRead && s.fullFor(need) {
		s.mu.Unlock()
		return syscall.ENOSPC
	}
	if op == OpWrite {
		for _, d := range s.full {
			d.used += n
		}
	}
	var delay time.Duration
	if op != OpRead {
		delay = f.slowDelay(op == OpWrite)
	}
	s.mu.Unlock()
	sleep(delay)
	return 0
}

// fullFor reports whether a disk-full fault has no room for n more bytes;
// with n zero, whether one has spent its budget. Called with mu held.
func (s *faultSet) fullFor(n int64) bool {
	for _, d := range s.full {
		if d.used+n > d.budget || (n == 0 && d.used >= d.budget) {
			return true
		}
	}
	return false
}

// beforeEntry applies the faults on making a directory entry: a full disk
// has no room for one.
func (f *FS) beforeEntry() syscall.Errno {
	if f.faults.n.Load() == 0 {
		return 0
	}
	f.faults.mu.Lock()
	defer f.faults.mu.Unlock()
	if f.faults.fullFor(0) {
		return syscall.ENOSPC
	}
	return 0
}

// slowDelay draws the latency of a write (write true) or an fsync from
// every slow-disk fault in force. Called with faults.mu held.
func (f *FS) slowDelay(write bool) time.Duration {
	var total time.Duration
	for _, d := range f.faults.slow {
		if write && !d.Writes {
			continue
		}
		f.draw(func(r *rand.Rand) { total += d.Latency.Transit(r) })
	}
	return total
}

func sleep(d time.Duration) {
	if d > 0 {
		time.Sleep(d)
	}
}
