package rsm

import (
	"fmt"

	"faultline/transport/wire"
)

// envelope is the RSM's snapshot format: the applied index beside the state
// machine's own bytes, so a restart knows where the state stands.
type envelope struct {
	Index int
	State []byte
}

func encodeSnapshot(index int, state []byte) []byte {
	b, err := wire.Marshal(&envelope{Index: index, State: state})
	if err != nil {
		panic(fmt.Sprintf("rsm: encode snapshot: %v", err))
	}
	return b
}

// restore installs snap into sm and returns the index it covers.
func restore(sm StateMachine, snap []byte) (int, error) {
	var e envelope
	if err := wire.Unmarshal(snap, &e); err != nil {
		return 0, fmt.Errorf("rsm snapshot: %w", err)
	}
	if err := sm.Restore(e.State); err != nil {
		return 0, fmt.Errorf("rsm snapshot at %d: %w", e.Index, err)
	}
	return e.Index, nil
}
