package rsm

import (
	"crypto/rand"
	"encoding/binary"
)

// NewClientID returns a random positive client id. The services' clerks
// number their operations under it, and the state machines skip an
// operation whose sequence number they have already applied for its
// client: exactly-once across retries, leader changes and restarts.
func NewClientID() int64 {
	var b [8]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic(err) // crypto/rand does not fail on supported platforms
	}
	return int64(binary.LittleEndian.Uint64(b[:]) >> 1)
}

// Session is a client's identity for exactly-once, shared by the services'
// clerks: ID names the client (NewClientID), NextSeq numbers its
// operations. A Session is for one goroutine at a time.
type Session struct {
	// ID is the client's id; two live clients must never share one.
	ID  int64
	seq int64
}

// NewSession returns a session under a new random client id.
func NewSession() Session { return Session{ID: NewClientID()} }

// NextSeq returns the sequence number of the client's next operation: 1,
// 2, and so on. A retried operation keeps its number.
func (s *Session) NextSeq() int64 {
	s.seq++
	return s.seq
}
