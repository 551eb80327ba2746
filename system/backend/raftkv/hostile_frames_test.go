package raftkv

import (
	"context"
	"encoding/binary"
	"testing"
	"time"

	"faultline/internal/hostile"
	"faultline/system/kvraft"
	"faultline/transport"
	"faultline/transport/tcp"
)

// statusWithin calls KVServer.Status through cl until it answers, for at
// most 10 s (the client may be backing off after its connection closed).
func statusWithin(ctx context.Context, t *testing.T, cl *tcp.Client) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		cctx, cancel := context.WithTimeout(ctx, time.Second)
		err := cl.CallContext(cctx, "KVServer.Status", &kvraft.StatusArgs{}, &kvraft.StatusReply{})
		cancel()
		if err == nil {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("Status through the relay: %v", err)
		}
		select {
		case <-ctx.Done():
			t.Fatal(ctx.Err())
		case <-time.After(20 * time.Millisecond):
		}
	}
}

// TestHostileMalformedFrames: a client that holds the secret sends what
// does not decode. Arguments of the wrong type and unknown methods are
// answered with an error and the connection stays up; bytes that are not
// a frame (too long, unknown type, a method length past the frame) close
// that connection only. The node keeps serving throughout.
func TestHostileMalformedFrames(t *testing.T) {
	c, ctx := hostileCluster(t)
	relay := hostile.NewRelay(t, c.Addrs()[0])
	cfg := c.secret.Config()
	cfg.Conns = 1
	cl := tcp.DialNamed(nodeName(0), relay.Addr(), cfg)
	defer cl.Close()
	statusWithin(ctx, t, cl)

	wrong := []struct {
		name, method string
		args         any
	}{
		{"put args of the wrong type", "KVServer.PutAppend", "not a PutAppendArgs"},
		{"append entries from junk bytes", "Raft.AppendEntries", []byte{0xc1, 0xde, 0xad}},
		{"vote request as a number", "Raft.RequestVote", 42},
		{"unknown method", "KVServer.Drop", &kvraft.GetArgs{}},
		{"unknown service", "Nope.Get", &kvraft.GetArgs{}},
	}
	for _, w := range wrong {
		t.Run(w.name, func(t *testing.T) {
			links := relay.Links()
			cctx, cancel := context.WithTimeout(ctx, 3*time.Second)
			err := cl.CallContext(cctx, w.method, w.args, &kvraft.GetReply{})
			cancel()
			if !transport.IsRemote(err) {
				t.Fatalf("%s(%T) = %v, want an error from the node", w.method, w.args, err)
			}
			statusWithin(ctx, t, cl)
			if relay.Links() != links {
				t.Fatalf("connection closed by a call that did not decode (%d connections, want %d)", relay.Links(), links)
			}
		})
	}

	junk := []struct {
		name  string
		bytes []byte
	}{
		{"length past the frame limit", binary.BigEndian.AppendUint32(nil, 0xffffffff)},
		{"unknown frame type", hostile.Frame(0xee, 7, []byte("x"))},
		{"reply frame from a client", hostile.Frame(2, 7, []byte{0xc0})},
		{"method length past the frame", hostile.Frame(1, 8, []byte{0xff, 0xff, 'K'})},
		{"empty frame", []byte{0, 0, 0, 0}},
	}
	for _, j := range junk {
		t.Run(j.name, func(t *testing.T) {
			statusWithin(ctx, t, cl)
			link := relay.Latest()
			links := relay.Links()
			if err := link.Inject(j.bytes); err != nil {
				t.Fatal(err)
			}
			select {
			case <-link.TargetClosed():
			case <-time.After(5 * time.Second):
				t.Fatal("the node kept a connection that sent junk")
			}
			statusWithin(ctx, t, cl) // the client redials and authenticates again
			if relay.Links() <= links {
				t.Fatalf("no new connection after the node closed one (%d)", relay.Links())
			}
		})
	}
	hostileWorkload(ctx, t, c, hostile.NewWorkload("k0", "k1", "k2"), 60)
}
