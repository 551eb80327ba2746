package memory

import (
	"sync"
	"sync/atomic"
)

// GetArgs asks for the value of Key.
type GetArgs struct{ Key string }

// GetReply carries the value ("" for a missing key).
type GetReply struct{ Value string }

// PutArgs sets Key to Value; with Append set it appends Value instead.
type PutArgs struct {
	Key    string
	Value  string
	Append bool
}

// PutReply is empty: a reply means the write took effect.
type PutReply struct{}

// Store is the node's state machine, registered as the RPC service "Store"
// ("Store.Get", "Store.Put", "Store.Txn"). It is safe for concurrent use.
// Transactions (txn.go) have their own keys, apart from Get and Put's.
type Store struct {
	// TxnMode is how transactions run: TxnStrict ("" too) or
	// TxnStaleRead. Set it before the store serves.
	TxnMode string
	mu      sync.Mutex
	data    map[string]string
	txn     txnState
	writes  int                      // transactions that wrote, for TxnStaleRead
	snap    atomic.Pointer[txnState] // TxnStaleRead's snapshot
	ops     atomic.Int64
}

// NewStore returns an empty store.
func NewStore() *Store {
	s := &Store{data: map[string]string{}, txn: txnState{}}
	s.snap.Store(&txnState{})
	return s
}

// Get is the RPC handler for reads.
func (s *Store) Get(args *GetArgs, reply *GetReply) {
	s.mu.Lock()
	reply.Value = s.data[args.Key]
	s.mu.Unlock()
	s.ops.Add(1)
}

// Put is the RPC handler for Put and Append.
func (s *Store) Put(args *PutArgs, reply *PutReply) {
	s.mu.Lock()
	if args.Append {
		s.data[args.Key] += args.Value
	} else {
		s.data[args.Key] = args.Value
	}
	s.mu.Unlock()
	s.ops.Add(1)
}

// Ops counts the requests served.
func (s *Store) Ops() int64 { return s.ops.Load() }
