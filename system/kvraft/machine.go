package kvraft

import (
	"fmt"
	"maps"
	"slices"

	"faultline/transport/wire"
)

// Machine is the replicated key/value state machine. It is deterministic:
// the same ops applied in the same order leave the same state and give the
// same answers on every replica. It is not safe for concurrent use; the
// KVServer guards it.
type Machine struct {
	// data holds the key/value pairs; a missing key reads as "".
	data map[string]string
	// last maps a client id to the highest Put/Append sequence number
	// applied for that client. Invariant: an op with Seq <= last[ClientID]
	// is a duplicate and changes nothing.
	last map[int64]int64
	// applied is the Raft index of the last applied entry.
	applied int
}

// NewMachine returns an empty machine.
func NewMachine() *Machine {
	return &Machine{data: map[string]string{}, last: map[int64]int64{}}
}

// Applied returns the Raft index of the last entry applied (or covered by
// the snapshot the machine was restored from).
func (m *Machine) Applied() int { return m.applied }

// Apply applies op as the Raft entry at index, which must be above Applied.
// It returns the value read (for Get) and OK or ErrNoKey. A Put or Append
// whose sequence number the machine has already seen for its client is
// skipped: it returns OK and changes only the applied index.
func (m *Machine) Apply(index int, op Op) (string, Err) {
	m.applied = index
	switch op.Kind {
	case OpGet:
		return m.Read(op.Key)
	case OpPut, OpAppend:
		if op.Seq <= m.last[op.ClientID] {
			return "", OK
		}
		m.last[op.ClientID] = op.Seq
		if op.Kind == OpPut {
			m.data[op.Key] = op.Value
		} else {
			m.data[op.Key] += op.Value
		}
		return "", OK
	}
	return "", OK
}

// Read returns key's value and OK, or "" and ErrNoKey. It changes nothing.
func (m *Machine) Read(key string) (string, Err) {
	v, ok := m.data[key]
	if !ok {
		return "", ErrNoKey
	}
	return v, OK
}

// Skip records that the entry at index carried no key/value op (a Raft
// no-op, say).
func (m *Machine) Skip(index int) { m.applied = index }

// Duplicate reports whether a Put or Append with this client id and sequence
// number has already been applied.
func (m *Machine) Duplicate(clientID, seq int64) bool {
	return seq <= m.last[clientID]
}

// Len returns the number of keys held.
func (m *Machine) Len() int { return len(m.data) }

// image is the encoded form of a Machine. Maps are flattened into slices
// sorted by key, so equal machines encode to equal bytes.
type image struct {
	Applied int
	Keys    []string
	Values  []string
	Clients []int64
	Seqs    []int64
}

// Snapshot encodes the machine, including its duplicate table and applied
// index. Equal machines give equal bytes.
func (m *Machine) Snapshot() []byte {
	img := image{Applied: m.applied, Keys: slices.Sorted(maps.Keys(m.data)), Clients: slices.Sorted(maps.Keys(m.last))}
	img.Values = make([]string, len(img.Keys))
	for i, k := range img.Keys {
		img.Values[i] = m.data[k]
	}
	img.Seqs = make([]int64, len(img.Clients))
	for i, c := range img.Clients {
		img.Seqs[i] = m.last[c]
	}
	b, err := wire.Marshal(&img)
	if err != nil {
		panic(fmt.Sprintf("kvraft: encode snapshot: %v", err)) // plain data always encodes
	}
	return b
}

// Restore replaces the machine's state with the one encoded in snap. An
// empty snap leaves an empty machine.
func (m *Machine) Restore(snap []byte) error {
	fresh := NewMachine()
	if len(snap) == 0 {
		*m = *fresh
		return nil
	}
	var img image
	if err := wire.Unmarshal(snap, &img); err != nil {
		return fmt.Errorf("kvraft: decode snapshot: %w", err)
	}
	if len(img.Keys) != len(img.Values) || len(img.Clients) != len(img.Seqs) {
		return fmt.Errorf("kvraft: decode snapshot: %d keys but %d values, %d clients but %d seqs",
			len(img.Keys), len(img.Values), len(img.Clients), len(img.Seqs))
	}
	for i, k := range img.Keys {
		fresh.data[k] = img.Values[i]
	}
	for i, c := range img.Clients {
		fresh.last[c] = img.Seqs[i]
	}
	fresh.applied = img.Applied
	*m = *fresh
	return nil
}
