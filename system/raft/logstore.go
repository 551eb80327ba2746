package raft

import (
	"encoding/binary"
	"errors"
	"fmt"
)

// LogStore is the incremental storage Raft uses when its Persister also
// implements it (system/storage's FilePersister does). Entries are opaque
// byte strings to the store (Raft's encoding of term and command).
type LogStore interface {
	// SetHardState records the current term and vote (-1 for none). It may
	// be buffered until Sync.
	SetHardState(term, votedFor int) error
	// AppendLog stores entries[i] at index index+i, first dropping every
	// entry at or after index. It may be buffered until Sync. index is at
	// most one past the last stored entry and above the snapshot index.
	AppendLog(index int, entries [][]byte) error
	// SaveSnapshot stores snapshot as the image up to index (whose entry
	// has term term) and drops the entries at or below index; entries above
	// it are kept. It is atomic and durable on return.
	SaveSnapshot(index, term int, snapshot []byte) error
	// Sync makes everything written before the call durable.
	Sync() error
	// LoadState returns what was stored: the hard state, the snapshot's
	// index and term, and the entries from snapIndex+1 on.
	LoadState() (term, votedFor, snapIndex, snapTerm int, entries [][]byte, err error)
}

// errBadEntry says a stored entry does not decode.
var errBadEntry = errors.New("raft: malformed stored entry")

// appendEntry appends the stored form of e (uvarint term, then data).
func appendEntry(dst []byte, e Entry) []byte {
	dst = binary.AppendUvarint(dst, uint64(e.Term))
	return append(dst, e.Data...)
}

// decodeEntry parses the stored form of an entry. Data aliases b.
func decodeEntry(b []byte) (Entry, error) {
	t, n := binary.Uvarint(b)
	if n <= 0 || t > 1<<62 {
		return Entry{}, fmt.Errorf("%w: bad term prefix", errBadEntry)
	}
	return Entry{Term: int(t), Data: b[n:]}, nil
}

// stateMagic opens the blob a plain Persister stores: the hard state and
// snapshot position as uvarints (the vote plus one, so that none is 0),
// then each entry as a uvarint length and its stored form.
const stateMagic = "RFT1"

// errBadState says a persisted state blob does not decode.
var errBadState = errors.New("raft: malformed persisted state")

// logImage is Raft's persistent state in the blob's encoding: the hard
// state, the snapshot position and the encoded entries, kept so that
// appends and truncations cost only what they write.
type logImage struct {
	term, vote, snapIndex, snapTerm int
	body                            []byte // encoded entries
	offs                            []int  // offs[i]: start of entry snapIndex+1+i in body
}

func newLogImage() logImage { return logImage{vote: none} }

// decode parses a blob made by encode.
func (im *logImage) decode(b []byte) error {
	if len(b) < len(stateMagic) || string(b[:len(stateMagic)]) != stateMagic {
		return fmt.Errorf("%w: bad magic", errBadState)
	}
	b = b[len(stateMagic):]
	var hdr [4]uint64
	for i := range hdr {
		v, n := binary.Uvarint(b)
		if n <= 0 || v > 1<<62 {
			return fmt.Errorf("%w: bad header field %d", errBadState, i)
		}
		hdr[i], b = v, b[n:]
	}
	im.term, im.vote, im.snapIndex, im.snapTerm = int(hdr[0]), int(hdr[1])-1, int(hdr[2]), int(hdr[3])
	im.body = append([]byte(nil), b...)
	im.offs = im.offs[:0]
	for off := 0; off < len(im.body); {
		l, n := binary.Uvarint(im.body[off:])
		if n <= 0 || l > uint64(len(im.body)-off-n) {
			return fmt.Errorf("%w: bad entry %d", errBadState, im.snapIndex+1+len(im.offs))
		}
		im.offs = append(im.offs, off)
		off += n + int(l)
	}
	return nil
}

// encode returns the blob for the image, in a fresh slice.
func (im *logImage) encode() []byte {
	b := make([]byte, 0, im.size())
	b = append(b, stateMagic...)
	for _, v := range []int{im.term, im.vote + 1, im.snapIndex, im.snapTerm} {
		b = binary.AppendUvarint(b, uint64(v))
	}
	return append(b, im.body...)
}

// size returns the length of encode's blob.
func (im *logImage) size() int {
	n := len(stateMagic) + len(im.body)
	for _, v := range []int{im.term, im.vote + 1, im.snapIndex, im.snapTerm} {
		n += uvarintLen(uint64(v))
	}
	return n
}

func uvarintLen(v uint64) int {
	n := 1
	for v >= 0x80 {
		v >>= 7
		n++
	}
	return n
}

func (im *logImage) clone() logImage {
	c := *im
	c.body = append([]byte(nil), im.body...)
	c.offs = append([]int(nil), im.offs...)
	return c
}

// entries returns copies of the stored entries.
func (im *logImage) entries() [][]byte {
	out := make([][]byte, len(im.offs))
	for i, off := range im.offs {
		l, n := binary.Uvarint(im.body[off:])
		out[i] = append([]byte(nil), im.body[off+n:off+n+int(l)]...)
	}
	return out
}

func (im *logImage) appendLog(index int, entries [][]byte) error {
	keep := index - im.snapIndex - 1
	if keep < 0 || keep > len(im.offs) {
		return fmt.Errorf("raft: append at %d outside stored log (%d, %d]", index, im.snapIndex, im.snapIndex+len(im.offs)+1)
	}
	if keep < len(im.offs) {
		im.body = im.body[:im.offs[keep]]
		im.offs = im.offs[:keep]
	}
	for _, e := range entries {
		im.offs = append(im.offs, len(im.body))
		im.body = binary.AppendUvarint(im.body, uint64(len(e)))
		im.body = append(im.body, e...)
	}
	return nil
}

// compact drops the entries up to index, now covered by a snapshot whose
// last entry has term term.
func (im *logImage) compact(index, term int) {
	if drop := index - im.snapIndex; drop >= len(im.offs) {
		im.body, im.offs = im.body[:0], im.offs[:0]
	} else if drop > 0 {
		cut := im.offs[drop]
		im.body = im.body[:copy(im.body, im.body[cut:])]
		im.offs = im.offs[:copy(im.offs, im.offs[drop:])]
		for i := range im.offs {
			im.offs[i] -= cut
		}
	}
	im.snapIndex, im.snapTerm = index, term
}

// stateStore is a LogStore over a plain Persister: it keeps the image in
// memory and on each Sync that follows a change saves it whole, as one
// blob.
type stateStore struct {
	p     Persister
	im    logImage
	dirty bool
}

var _ LogStore = (*stateStore)(nil)

func newStateStore(p Persister) (*stateStore, error) {
	s := &stateStore{p: p, im: newLogImage()}
	if b := p.ReadRaftState(); len(b) > 0 {
		if err := s.im.decode(b); err != nil {
			return nil, err
		}
	}
	return s, nil
}

func (s *stateStore) SetHardState(term, votedFor int) error {
	s.im.term, s.im.vote = term, votedFor
	s.dirty = true
	return nil
}

func (s *stateStore) AppendLog(index int, entries [][]byte) error {
	s.dirty = true
	return s.im.appendLog(index, entries)
}

func (s *stateStore) SaveSnapshot(index, term int, snapshot []byte) error {
	s.im.compact(index, term)
	s.p.SaveStateAndSnapshot(s.im.encode(), snapshot)
	s.dirty = false
	return nil
}

func (s *stateStore) Sync() error {
	if s.dirty {
		s.p.SaveRaftState(s.im.encode())
		s.dirty = false
	}
	return nil
}

func (s *stateStore) LoadState() (term, votedFor, snapIndex, snapTerm int, entries [][]byte, err error) {
	return s.im.term, s.im.vote, s.im.snapIndex, s.im.snapTerm, s.im.entries(), nil
}
