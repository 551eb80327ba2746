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
	// cas maps a client id to the outcome of its last applied CAS, so
	// that a retried CAS (a duplicate) is answered as the first was.
	// Invariant: cas[c].seq <= last[c].
	cas map[int64]casOutcome
	// applied is the Raft index of the last applied entry.
	applied int
}

// casOutcome is what a CAS found: the key's value before it, and whether
// the key existed.
type casOutcome struct {
	seq     int64
	prev    string
	existed bool
}

// Swapped reports whether a CAS from -> to (with create) set its key,
// given what it found: the key's previous value, and whether it existed.
func Swapped(prev string, existed bool, from string, create bool) bool {
	if !existed {
		return create
	}
	return prev == from
}

// NewMachine returns an empty machine.
func NewMachine() *Machine {
	return &Machine{data: map[string]string{}, last: map[int64]int64{}, cas: map[int64]casOutcome{}}
}

// Applied returns the Raft index of the last entry applied (or covered by
// the snapshot the machine was restored from).
func (m *Machine) Applied() int { return m.applied }

// Apply applies op as the Raft entry at index, which must be above Applied.
// It returns the value read (for Get) and OK or ErrNoKey. A Put or Append
// whose sequence number the machine has already seen for its client is
// skipped: it returns OK and changes only the applied index. A CAS returns
// what it found, the key's value before it and OK, or "" and ErrNoKey
// (Swapped says whether it set the key); a duplicate CAS changes nothing
// and returns what the first one found.
func (m *Machine) Apply(index int, op Op) (string, Err) {
	m.applied = index
	switch op.Kind {
	case OpGet:
		return m.Read(op.Key)
	case OpCAS:
		if op.Seq <= m.last[op.ClientID] {
			return m.CASOutcome(op.ClientID, op.Seq)
		}
		m.last[op.ClientID] = op.Seq
		prev, e := m.Read(op.Key)
		m.cas[op.ClientID] = casOutcome{seq: op.Seq, prev: prev, existed: e == OK}
		if Swapped(prev, e == OK, op.From, op.Create) {
			m.data[op.Key] = op.Value
		}
		return prev, e
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

// CASOutcome returns what the CAS with this client id and sequence number
// found (see Apply), once it was applied; for an older one, which the
// client no longer waits for, it returns ErrNoKey.
func (m *Machine) CASOutcome(clientID, seq int64) (string, Err) {
	o, ok := m.cas[clientID]
	switch {
	case !ok || o.seq != seq || !o.existed:
		return "", ErrNoKey
	}
	return o.prev, OK
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
	// The last CAS of each client that made one, sorted by client.
	CASClients []int64
	CASSeqs    []int64
	CASPrev    []string
	CASExisted []bool
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
	for _, c := range slices.Sorted(maps.Keys(m.cas)) {
		o := m.cas[c]
		img.CASClients, img.CASSeqs = append(img.CASClients, c), append(img.CASSeqs, o.seq)
		img.CASPrev, img.CASExisted = append(img.CASPrev, o.prev), append(img.CASExisted, o.existed)
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
	if n := len(img.CASClients); len(img.CASSeqs) != n || len(img.CASPrev) != n || len(img.CASExisted) != n {
		return fmt.Errorf("kvraft: decode snapshot: %d CAS clients but %d seqs, %d values, %d flags",
			n, len(img.CASSeqs), len(img.CASPrev), len(img.CASExisted))
	}
	for i, c := range img.CASClients {
		fresh.cas[c] = casOutcome{seq: img.CASSeqs[i], prev: img.CASPrev[i], existed: img.CASExisted[i]}
	}
	fresh.applied = img.Applied
	*m = *fresh
	return nil
}
