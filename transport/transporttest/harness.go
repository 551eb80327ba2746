package transporttest

import (
	"testing"

	"faultline/transport"
)

// Harness adapts one transport implementation to the suite. Run calls the
// factory once per case, so each case starts from a fresh, healthy network;
// the harness must release everything it made (listeners, connections,
// goroutines) in t.Cleanup.
//
// Nodes are named by plain identifiers such as "a" or "b". The same names are
// used for link faults: a caller made by Dial(t, from, to) sends its requests
// over the link from -> to and receives its replies over to -> from.
type Harness interface {
	// Serve starts node name serving srv, or restarts it with srv after
	// Stop. Once Serve returns, calls to the node can succeed; callers dialled
	// before a Stop must reach the restarted node again (perhaps after a
	// reconnect, within a few seconds). It returns the node's address, for
	// logs.
	Serve(t testing.TB, name string, srv *transport.Server) string
	// Stop stops node name serving, as a crash would: after it returns,
	// calls to the node fail with transport.ErrUnreachable or
	// transport.ErrTimeout.
	Stop(t testing.TB, name string)
	// Dial returns a caller owned by node from (which need not serve) for
	// calls to node to (which must have been served at least once).
	Dial(t testing.TB, from, to string) transport.ContextCaller
	// Faults returns the link-fault seam of the harness's network, keyed by
	// node names.
	Faults() transport.LinkFaulter
}
