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
