package netem

import (
	"errors"
	"fmt"
)

// ErrUnsupported is returned (wrapped) by Network.Supports for a fault the
// network cannot apply.
var ErrUnsupported = errors.New("fault not supported by this network")

// Network applies link faults to the directed links between named nodes.
type Network interface {
	// Supports returns nil if every fault in l can be applied, or an error
	// wrapping ErrUnsupported that names the first one that cannot.
	Supports(l Link) error
	// SetLink replaces the faults of from -> to; a healthy Link removes
	// them.
	SetLink(from, to string, l Link) error
	// HealAll removes every link fault.
	HealAll() error
	// Close heals every link and releases the network's resources
	// (goroutines, listeners). It is safe to call more than once.
	Close() error
}

func unsupported(what, by string) error {
	return fmt.Errorf("%s by %s: %w", what, by, ErrUnsupported)
}
