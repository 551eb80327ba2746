package tcp

import (
	"sync"
	"sync/atomic"
)

// Meter counts the calls a Client makes and the bytes they move, by
// "Service.Method": request frames as sent (duplicates and retries of
// the transport included, lost ones too) and reply frames as received.
// Share one Meter between the clients of a node to count its traffic. It is
// safe for concurrent use; a nil Meter counts nothing.
type Meter struct {
	m sync.Map // svcMeth -> *methodCounts
}

type methodCounts struct {
	calls, sent, received atomic.Int64
}

// MethodStats are the counts of one method.
type MethodStats struct {
	// Calls is the number of calls started.
	Calls int64
	// BytesSent counts the request frames' bytes.
	BytesSent int64
	// BytesReceived counts the reply frames' bytes.
	BytesReceived int64
}

func (m *Meter) counts(svcMeth string) *methodCounts {
	v, ok := m.m.Load(svcMeth)
	if !ok {
		v, _ = m.m.LoadOrStore(svcMeth, new(methodCounts))
	}
	return v.(*methodCounts)
}

// sent records one call whose request frame is n bytes.
func (m *Meter) sent(svcMeth string, n int) {
	if m == nil {
		return
	}
	c := m.counts(svcMeth)
	c.calls.Add(1)
	c.sent.Add(int64(n))
}

// received records a reply frame of n bytes.
func (m *Meter) received(svcMeth string, n int) {
	if m == nil {
		return
	}
	m.counts(svcMeth).received.Add(int64(n))
}

// Snapshot returns the counts so far, by method.
func (m *Meter) Snapshot() map[string]MethodStats {
	out := map[string]MethodStats{}
	if m == nil {
		return out
	}
	m.m.Range(func(k, v any) bool {
		c := v.(*methodCounts)
		out[k.(string)] = MethodStats{Calls: c.calls.Load(), BytesSent: c.sent.Load(), BytesReceived: c.received.Load()}
		return true
	})
	return out
}
