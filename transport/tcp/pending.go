package tcp

import "sync"

// pendingShards is the number of independently locked parts of a
// connection's pending table. With one mutex for the whole table, 64
// callers registering calls while the reader claimed replies spent about a
// fifth of the mutex profile's contention on it (BenchmarkTCPParallel64);
// request ids are consecutive, so consecutive calls land in different
// shards.
const pendingShards = 16

// pendingTable holds a connection's outstanding calls by request id, until
// one party claims each (see call). Once closed it refuses new calls.
type pendingTable struct {
	shards [pendingShards]pendingShard
}

type pendingShard struct {
	mu    sync.Mutex
	calls map[uint64]*call // made on first use
	err   error            // set by close; refuses add
	_     [32]byte         // a cache line per shard
}

func (t *pendingTable) shard(id uint64) *pendingShard { return &t.shards[id%pendingShards] }

// add records cl under id, unless the table is closed (its error).
func (t *pendingTable) add(id uint64, cl *call) error {
	s := t.shard(id)
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.err != nil {
		return s.err
	}
	if s.calls == nil {
		s.calls = map[uint64]*call{}
	}
	s.calls[id] = cl
	return nil
}

// take removes and returns the call under id, or nil when there is none
// (claimed already, or never added).
func (t *pendingTable) take(id uint64) *call {
	s := t.shard(id)
	s.mu.Lock()
	cl := s.calls[id]
	if cl != nil {
		delete(s.calls, id)
	}
	s.mu.Unlock()
	return cl
}

// close refuses later adds with err (non-nil) and returns the calls still
// held, which the caller now owns.
func (t *pendingTable) close(err error) []*call {
	var out []*call
	for i := range t.shards {
		s := &t.shards[i]
		s.mu.Lock()
		s.err = err
		for _, cl := range s.calls {
			out = append(out, cl)
		}
		s.calls = nil
		s.mu.Unlock()
	}
	return out
}

// expire removes and returns the calls whose deadline (a sweeper gen) is
// gen or earlier, which the caller now owns, and counts the calls with a
// deadline left.
func (t *pendingTable) expire(gen uint64) (expired []*call, left int) {
	for i := range t.shards {
		s := &t.shards[i]
		s.mu.Lock()
		for id, cl := range s.calls {
			switch {
			case cl.deadline == 0:
			case cl.deadline <= gen:
				delete(s.calls, id)
				expired = append(expired, cl)
			default:
				left++
			}
		}
		s.mu.Unlock()
	}
	return expired, left
}

// anyDeadline reports whether a call with a deadline is pending.
func (t *pendingTable) anyDeadline() bool {
	for i := range t.shards {
		s := &t.shards[i]
		s.mu.Lock()
		for _, cl := range s.calls {
			if cl.deadline != 0 {
				s.mu.Unlock()
				return true
			}
		}
		s.mu.Unlock()
	}
	return false
}
