package backend

import (
	"errors"
	"fmt"
	"strconv"
	"sync"
)

// ClientSettings say how a cluster's clients reach it, so that results
// and the comparison page can show how each backend was driven.
type ClientSettings struct {
	// Conns is the bound on the connections (or library clients, each
	// with its own connections) that the cluster's Clients share: client
	// id uses connection id mod Conns. 0 means every Client has its own.
	Conns int `json:"conns"`
	// Library names the client library the Clients call ("clientv3",
	// "kvraft clerk").
	Library string `json:"library"`
	// Sharing says in words how Clients share the connections.
	Sharing string `json:"sharing"`
	// ReadMode is how a Get is served ("linearizable: ReadIndex").
	ReadMode string `json:"read_mode,omitempty"`
	// Timeouts names the library's own timeouts ("dial": "2s"), beside the
	// harness's op timeout.
	Timeouts map[string]string `json:"timeouts,omitempty"`
}

// ClientSetup is a Cluster that declares its ClientSettings.
type ClientSetup interface {
	ClientSettings() ClientSettings
}

// MaxConns bounds the option "conns" of every backend.
const MaxConns = 1024

// ConnsOption reads a backend's option "conns" from opts: the number of
// connections its clients share, 1 to MaxConns, or def when absent.
func ConnsOption(backend string, opts map[string]string, def int) (int, error) {
	v, ok := opts["conns"]
	if !ok {
		return def, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 || n > MaxConns {
		return 0, fmt.Errorf("%s: option conns = %q, want 1 to %d connections shared by the clients", backend, v, MaxConns)
	}
	return n, nil
}

// SharedSettings is the Sharing text of a pool of conns connections.
func SharedSettings(conns int) string {
	return fmt.Sprintf("client i uses connection i mod %d, shared with the clients of the same residue", conns)
}

// Pool is a bounded set of shared values, such as connections: slot
// id mod Size serves client id, made by the pool's make function on first
// use and closed by Close. It is safe for concurrent use.
type Pool[T any] struct {
	mu     sync.Mutex
	make   func(slot int) (T, error)
	close  func(T) error
	slots  []T
	made   []bool
	closed bool
}

// NewPool returns a pool of size slots (at least 1) made by mk and closed
// by cl.
func NewPool[T any](size int, mk func(slot int) (T, error), cl func(T) error) *Pool[T] {
	size = max(size, 1)
	return &Pool[T]{make: mk, close: cl, slots: make([]T, size), made: make([]bool, size)}
}

// Size is the number of slots.
func (p *Pool[T]) Size() int { return len(p.slots) }

// Get returns the value of client id's slot (id mod Size; a negative id
// uses slot 0), making it if need be.
func (p *Pool[T]) Get(id int) (T, error) {
	k := 0
	if id > 0 {
		k = id % len(p.slots)
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	var zero T
	if p.closed {
		return zero, errors.New("connection pool closed")
	}
	if !p.made[k] {
		v, err := p.make(k)
		if err != nil {
			return zero, err
		}
		p.slots[k], p.made[k] = v, true
	}
	return p.slots[k], nil
}

// Close closes every value made so far; later Gets fail.
func (p *Pool[T]) Close() error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		return nil
	}
	p.closed = true
	var errs []error
	for k, ok := range p.made {
		if ok {
			errs = append(errs, p.close(p.slots[k]))
		}
	}
	return errors.Join(errs...)
}
