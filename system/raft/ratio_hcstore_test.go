package raft

import (
	"encoding/binary"
	"sync"

	hraft "github.com/hashicorp/raft"
)

// hashicorpFileStore is hashicorp/raft's durable LogStore and StableStore
// in the fsync variant of the ratio benchmark, shaped as raft-wal (the
// write-ahead log its makers offer in place of raft-boltdb): every
// StoreLogs batch and every stable-store update is appended to a WAL as
// checksummed binary records and fdatasynced before it returns; reads are
// served from the in-memory copy (raft-wal too serves recent entries from
// memory).
type hashicorpFileStore struct {
	*hraft.InmemStore
	mu  sync.Mutex
	wal *benchWAL
}

var (
	_ hraft.LogStore    = (*hashicorpFileStore)(nil)
	_ hraft.StableStore = (*hashicorpFileStore)(nil)
)

// StoreLog stores one entry durably.
func (s *hashicorpFileStore) StoreLog(l *hraft.Log) error {
	return s.StoreLogs([]*hraft.Log{l})
}

// StoreLogs stores a batch of entries with one fdatasync.
func (s *hashicorpFileStore) StoreLogs(logs []*hraft.Log) error {
	s.mu.Lock()
	for _, l := range logs {
		s.wal.record(8+8+1+len(l.Data), func(b []byte) {
			binary.BigEndian.PutUint64(b, l.Index)
			binary.BigEndian.PutUint64(b[8:], l.Term)
			b[16] = byte(l.Type)
			copy(b[17:], l.Data)
		})
	}
	err := s.wal.commit(true)
	s.mu.Unlock()
	if err != nil {
		return err
	}
	return s.InmemStore.StoreLogs(logs)
}

// Set stores a stable key durably.
func (s *hashicorpFileStore) Set(key, val []byte) error {
	if err := s.saveStable(key, val); err != nil {
		return err
	}
	return s.InmemStore.Set(key, val)
}

// SetUint64 stores a stable integer durably.
func (s *hashicorpFileStore) SetUint64(key []byte, val uint64) error {
	if err := s.saveStable(key, binary.BigEndian.AppendUint64(nil, val)); err != nil {
		return err
	}
	return s.InmemStore.SetUint64(key, val)
}

func (s *hashicorpFileStore) saveStable(key, val []byte) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.wal.record(1+len(key)+len(val), func(b []byte) {
		b[0] = byte(len(key))
		copy(b[1:], key)
		copy(b[1+len(key):], val)
	})
	return s.wal.commit(true)
}
