package tcp

import (
	"net"
	"runtime"
	"testing"
	"time"
)

// idleConnBytes is the bound TestIdleConnMemory holds a server's idle
// connection to: its goroutines' stacks and small structures, no buffers.
const idleConnBytes = 16 << 10

// TestIdleConnMemory opens authenticated connections that then go quiet
// and measures the heap and stack they cost the process once the server
// has given their buffers back (both ends of each connection are in this
// process, so the figure includes the test's raw client sockets).
func TestIdleConnMemory(t *testing.T) {
	checkGoroutines(t)
	old := idleRelease
	t.Cleanup(func() { idleRelease = old })
	idleRelease = 20 * time.Millisecond
	const n = 200
	l, _ := newEchoServer(t, Config{Secret: testSecret})
	usage := func() int64 {
		runtime.GC()
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		return int64(ms.HeapAlloc + ms.StackInuse)
	}
	before := usage()
	conns := make([]net.Conn, 0, n)
	for range n {
		conns = append(conns, rawAuthConn(t, l.Addr(), testSecret))
	}
	waitStats(t, l, "every connection open", func(s ListenerStats) bool { return s.Open == n })
	var per int64
	waitFor(t, "idle connections to give their buffers back", func() bool {
		per = (usage() - before) / n
		return per < idleConnBytes
	})
	t.Logf("%d bytes per idle connection (heap and stacks, both ends)", per)
	runtime.KeepAlive(conns)
}
