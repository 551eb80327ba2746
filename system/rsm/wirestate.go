package rsm

import (
	"fmt"
	"sync"

	"faultline/transport/wire"
)

// WireState is the StateMachine of a service whose whole state is one
// value of type S that encodes with wire, reached through State and
// guarded by Mu (which the service's RPC handlers also take to read it).
type WireState[S any] struct {
	// Mu guards *State.
	Mu *sync.Mutex
	// State points at the service's pointer to its state; Restore
	// replaces the pointer.
	State **S
	// Step applies one committed command to the state, under Mu, and
	// returns its result, or an error when the command cannot be applied
	// at all (see StateMachine.Apply).
	Step func(st *S, cmd any) (any, error)
	// Check validates and normalizes a decoded state (nil maps made
	// empty, say) before Restore installs it. Optional.
	Check func(st *S) error
}

var _ StateMachine = (*WireState[int])(nil)

// Command returns cmd as the service's command type T, or an error naming
// both types: a committed command of another type cannot be applied (see
// StateMachine.Apply).
func Command[T any](cmd any) (T, error) {
	c, ok := cmd.(T)
	if !ok {
		return c, fmt.Errorf("rsm: committed command of type %T, want %T", cmd, c)
	}
	return c, nil
}

// Apply implements StateMachine.
func (w *WireState[S]) Apply(_ int, cmd any) (any, error) {
	w.Mu.Lock()
	defer w.Mu.Unlock()
	return w.Step(*w.State, cmd)
}

// Snapshot implements StateMachine.
func (w *WireState[S]) Snapshot() []byte {
	w.Mu.Lock()
	defer w.Mu.Unlock()
	b, err := wire.Marshal(*w.State)
	if err != nil {
		panic(fmt.Sprintf("rsm: encode %T: %v", *w.State, err)) // plain data always encodes
	}
	return b
}

// Restore implements StateMachine.
func (w *WireState[S]) Restore(snapshot []byte) error {
	st := new(S)
	if err := wire.Unmarshal(snapshot, st); err != nil {
		return fmt.Errorf("rsm: decode %T: %w", st, err)
	}
	if w.Check != nil {
		if err := w.Check(st); err != nil {
			return fmt.Errorf("rsm: decoded %T: %w", st, err)
		}
	}
	w.Mu.Lock()
	*w.State = st
	w.Mu.Unlock()
	return nil
}
