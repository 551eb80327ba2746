package chaos

import (
	"fmt"
	"time"

	"faultline/system/backend"
	"faultline/transport"
)

// Schedule is a parsed fault schedule.
type Schedule struct {
	// Seed seeds the random times, targets and shapes; zero means the
	// run's seed.
	Seed int64
	// Recovery is how long before the end of the measured run every fault
	// is healed, so the workload shows the system recovering. Zero means
	// DefaultRecovery; faults are never started inside it.
	Recovery time.Duration
	// Entries are the faults, in file order.
	Entries []Entry
}

// DefaultRecovery is the recovery window when a schedule names none.
const DefaultRecovery = 5 * time.Second

// Timing says when an entry fires.
type Timing int

// Timings.
const (
	// Once fires at At.
	Once Timing = iota
	// Every fires at Start, Start+Every, Start+2·Every, ...
	Every
	// Random fires at Start plus exponentially distributed gaps of mean
	// Interval (a Poisson process).
	Random
)

// Entry is one line of a schedule: a fault, its parameters and its timing.
type Entry struct {
	// Path is the entry's path in the config ("faults.schedule[2]"), used in
	// errors and event descriptions.
	Path string
	// Line is the entry's line in the config file, when known.
	Line int
	// Fault is the fault kind.
	Fault Kind

	// Timing says which of At or Interval applies.
	Timing Timing
	// At is the time of a Once entry, since the start of the measured run.
	At time.Duration
	// Interval is the period of an Every entry or the mean gap of a Random
	// one.
	Interval time.Duration
	// Start is the earliest time of an Every or Random entry; for Every it
	// defaults to Interval.
	Start time.Duration
	// For is how long a window fault lasts.
	For time.Duration

	// Target chooses the nodes of kill, pause, network and isolate faults.
	Target Target
	// Nodes are the nodes of TargetNodes.
	Nodes []string
	// Links are the directed links of a network fault given link by link
	// ([from, to]); when set, Target is not used.
	Links [][2]string
	// Shape is a partition's shape.
	Shape Shape
	// Inbound makes a one-way partition block the messages to the target
	// instead of those from it.
	Inbound bool
	// Link is a network fault's faults, applied to every link it touches
	// (in both directions for node targets).
	Link transport.LinkFaults
	// Groups is how many replica groups a join or leave changes (default 1).
	Groups int
	// Loss is a power loss's mode (default backend.LossDropUnsynced).
	Loss backend.LossMode
	// Storage is a storage fault window's description (disk-full,
	// io-error, slow-disk, corrupt).
	Storage backend.StorageFault
}

// String describes the entry briefly, for errors and events.
func (e *Entry) String() string {
	switch e.Fault {
	case KindPartition:
		return fmt.Sprintf("partition %s", e.Shape)
	case KindKill, KindPause, KindNetwork, KindPowerLoss, KindDiskFull, KindIOError, KindSlowDisk, KindCorrupt:
		if len(e.Links) > 0 {
			return fmt.Sprintf("%s of %d links", e.Fault, len(e.Links))
		}
		return fmt.Sprintf("%s %s", e.Fault, e.Target)
	}
	return string(e.Fault)
}
