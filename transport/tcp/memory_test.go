package tcp

import (
	"net"
	"runtime"
	"testing"
	"time"
)

// idleConnBytes is the bound TestIdleConnMemory holds an idle connection
// to: half of one read or write buffer, so that holding any buffer fails
// it. It measures about 12 KB (up to about 24 KB under -race, whose
// goroutines cost more); before idle connections gave their buffers back
// it was 143 KB.
const idleConnBytes = bufSize / 2

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
	deadline := time.Now().Add(10 * time.Second)
	for per = (usage() - before) / n; per >= idleConnBytes; per = (usage() - before) / n {
		if time.Now().After(deadline) {
			t.Fatalf("%d bytes per idle connection after 10s, want < %d", per, idleConnBytes)
		}
		time.Sleep(10 * time.Millisecond) // a bounded poll: the buffers go back within idleRelease
	}
	t.Logf("%d bytes per idle connection (heap and stacks, both ends)", per)
	runtime.KeepAlive(conns)
}
