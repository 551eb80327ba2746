package raft

import (
	"context"
	"fmt"
	"log/slog"
)

// ApplyError says that the committed entry at Index cannot be applied: its
// command does not decode, or the service failed to apply it. A peer that
// meets one stops (see Err); it never skips the entry, since every other
// replica applies it.
type ApplyError struct {
	Index int
	Err   error
}

func (e *ApplyError) Error() string {
	return fmt.Sprintf("raft: cannot apply the committed entry at index %d: %v", e.Index, e.Err)
}

// Unwrap returns the cause.
func (e *ApplyError) Unwrap() error { return e.Err }

// checkCommands decodes every command of entries that follow index prev,
// so that an append whose payload does not decode is refused before any
// of it reaches the log.
func checkCommands(prev int, entries []Entry) error {
	for i, e := range entries {
		if _, err := decodeCommand(e.Data); err != nil {
			return fmt.Errorf("%w: the command of entry %d does not decode: %w", errMalformed, prev+1+i, err)
		}
	}
	return nil
}

// refuse counts a message from peer from that was dropped as malformed,
// and logs the first and then every power-of-two-th, so that a flood of
// them costs a few log lines.
func (rf *Raft) refuse(from int, err error) {
	if n := rf.refused.Add(1); n&(n-1) == 0 {
		rf.fatalLogger().Warn("refused a malformed message", "raft", rf.me, "from", from, "refused", n, "err", err)
	}
}

// Refused returns how many messages from peers this peer dropped as
// malformed: commands that do not decode, terms or indices out of bounds,
// entries out of term order, senders outside the cluster.
func (rf *Raft) Refused() uint64 { return rf.refused.Load() }

// Err returns the error that stopped the peer on its own: a storage
// failure, or an *ApplyError naming the committed entry that could not be
// applied and why. It is nil while the peer runs and after Kill.
func (rf *Raft) Err() error {
	if p := rf.failed.Load(); p != nil {
		return *p
	}
	return nil
}

// Stopped returns a channel closed once the peer has stopped, by Kill or
// on its own (Err then says why).
func (rf *Raft) Stopped() <-chan struct{} { return rf.done }

// fail stops a peer that must not go on: its storage failed, or a
// committed entry cannot be applied (a leader then tells its followers the
// commit index first: farewell). The error is logged (to slog.Default
// when the Config has no Logger: it must never be silent). rf.mu is held,
// except by Halted.
func (rf *Raft) fail(err error) {
	rf.fatalLogger().Error("raft peer stopped", "raft", rf.me, "err", err)
	rf.failed.Store(&err)
	rf.killOnce.Do(func() {
		close(rf.done)
		if !rf.farewell(err) {
			rf.cancel()
		}
	})
}

func (rf *Raft) fatalLogger() *slog.Logger {
	if rf.cfg.Logger != nil {
		return rf.cfg.Logger
	}
	return slog.Default()
}

// Halted returns peer me already stopped with err: it answers no RPC,
// leads nothing, and reports err from Err. A service whose own persisted
// state does not load uses it to stop with a clear error, every time it
// restarts, instead of crashing.
func Halted(me int, persister Persister, err error) *Raft {
	ctx, cancel := context.WithCancel(context.Background())
	rf := &Raft{me: me, persister: persister, done: make(chan struct{}), ctx: ctx, cancel: cancel}
	rf.fail(err)
	return rf
}
