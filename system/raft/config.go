package raft

import (
	"fmt"
	"log/slog"
	"math/rand/v2"
	"time"
)

// Config tunes a Raft peer. The zero value is not valid; start from
// DefaultConfig.
type Config struct {
	// ElectionTick is the base election timeout in ticks; each timeout is
	// drawn uniformly from [ElectionTick, 2*ElectionTick).
	ElectionTick int
	// HeartbeatTick is the interval between a leader's heartbeats, in
	// ticks. It must be well below ElectionTick.
	HeartbeatTick int
	// TickInterval is the wall-clock length of one tick (driver only).
	TickInterval time.Duration
	// RPCTimeout bounds each RPC when the peer's end supports contexts
	// (CallContext); a call that times out counts as lost.
	RPCTimeout time.Duration
	// MaxInflight bounds the appends in flight to one follower in the
	// pipelined (replicate) state.
	MaxInflight int
	// MaxBytesPerMsg bounds the command bytes in one AppendEntries; an
	// append always carries at least one entry if one is due.
	MaxBytesPerMsg int
	// PreVote makes a peer whose election timeout expires first ask its
	// peers whether they would vote for it in the next term, without
	// changing any term; only a quorum of yes starts the election. A peer
	// cut off from the others then cannot inflate its term and depose the
	// leader when it returns.
	PreVote bool
	// CheckQuorum makes a leader step down when it has not heard from a
	// quorum within ElectionTick ticks, and makes every peer that heard
	// from a live leader within ElectionTick ticks ignore (pre-)vote
	// requests of later terms (leader stickiness).
	CheckQuorum bool
	// Seed seeds the peer's random source (election timeouts). Peers mix in
	// their ID, so a cluster may share one seed.
	Seed uint64
	// Logger receives diagnostics; nil discards them.
	Logger *slog.Logger
}

// DefaultConfig returns the configuration Make uses: 10 ms ticks,
// heartbeats every 100 ms, election timeouts in [300 ms, 600 ms), RPCs
// bounded by 2 s, up to 2 pipelined appends of at most 1 MiB each,
// PreVote and CheckQuorum on, and a random seed.
func DefaultConfig() Config {
	return Config{
		ElectionTick:   30,
		HeartbeatTick:  10,
		TickInterval:   10 * time.Millisecond,
		RPCTimeout:     2 * time.Second,
		MaxInflight:    2,
		MaxBytesPerMsg: 1 << 20,
		PreVote:        true,
		CheckQuorum:    true,
		Seed:           rand.Uint64(),
	}
}

// Validate checks every bound and cross-field rule; the error names the
// field and its value.
func (c Config) Validate() error {
	switch {
	case c.HeartbeatTick < 1:
		return fmt.Errorf("raft: config: HeartbeatTick = %d, want >= 1", c.HeartbeatTick)
	case c.ElectionTick < 2*c.HeartbeatTick:
		return fmt.Errorf("raft: config: ElectionTick = %d, want >= 2*HeartbeatTick (%d)", c.ElectionTick, 2*c.HeartbeatTick)
	case c.TickInterval <= 0:
		return fmt.Errorf("raft: config: TickInterval = %v, want > 0", c.TickInterval)
	case c.RPCTimeout <= 0:
		return fmt.Errorf("raft: config: RPCTimeout = %v, want > 0", c.RPCTimeout)
	case c.MaxInflight < 1:
		return fmt.Errorf("raft: config: MaxInflight = %d, want >= 1", c.MaxInflight)
	case c.MaxBytesPerMsg < 1:
		return fmt.Errorf("raft: config: MaxBytesPerMsg = %d, want >= 1", c.MaxBytesPerMsg)
	}
	return nil
}

func (c Config) logger() *slog.Logger {
	if c.Logger != nil {
		return c.Logger
	}
	return slog.New(slog.DiscardHandler)
}
