package etcd

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"testing"

	"go.etcd.io/etcd/api/v3/v3rpc/rpctypes"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"faultline/system/backend"
	"faultline/system/backend/nodeproc"
)

func TestClassify(t *testing.T) {
	cases := []struct {
		name     string
		err      error
		definite bool
	}{
		{"deadline", context.DeadlineExceeded, false},
		{"canceled", fmt.Errorf("rpc: %w", context.Canceled), false},
		{"no leader", rpctypes.ErrNoLeader, false},
		{"request timed out", rpctypes.ErrTimeout, false},
		{"unavailable", status.Error(codes.Unavailable, "connection refused"), false},
		{"other", errors.New("boom"), false},
		{"too many requests", rpctypes.ErrTooManyRequests, true},
		{"request too large", rpctypes.ErrRequestTooLarge, true},
		{"no space", rpctypes.ErrNoSpace, true},
		{"empty key", rpctypes.ErrEmptyKey, true},
		{"grpc invalid argument", status.Error(codes.InvalidArgument, "bad"), true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			err := classify(tc.err)
			if err == nil {
				t.Fatal("classify returned nil")
			}
			if got := errors.Is(err, backend.ErrDefinite); got != tc.definite {
				t.Fatalf("classify(%v) definite = %v, want %v", tc.err, got, tc.definite)
			}
			if !errors.Is(err, tc.err) {
				t.Fatalf("classify(%v) = %v does not wrap the cause", tc.err, err)
			}
		})
	}
	if classify(nil) != nil {
		t.Fatal("classify(nil) != nil")
	}
}

func TestMemberArgsRoundTrip(t *testing.T) {
	cfg := MemberConfig{
		Name: "n1", Dir: "/tmp/x", Client: "127.0.0.1:1", PeerListen: "127.0.0.1:2",
		Cluster: "n0=http://127.0.0.1:3,n1=http://127.0.0.1:4", Fsync: false,
		TickMs: 50, ElectionMs: 500, SnapshotCount: 1000,
	}
	got, err := decodeMember(nodeproc.EncodeArgs(cfg))
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, cfg) {
		t.Fatalf("round trip = %+v, want %+v", got, cfg)
	}
	bad := []struct {
		name string
		args []string
	}{
		{"missing cluster entry", []string{"--name", "n9", "--dir", "d", "--client", "a:1", "--peer-listen", "a:2", "--cluster", "n0=http://a:3"}},
		{"no name", []string{"--dir", "d", "--client", "a:1", "--peer-listen", "a:2", "--cluster", "n0=http://a:3"}},
		{"extra argument", append(nodeproc.EncodeArgs(cfg), "extra")},
		{"unknown flag", []string{"--bogus"}},
	}
	for _, tc := range bad {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := decodeMember(tc.args); err == nil {
				t.Fatalf("decodeMember(%q) = nil error", tc.args)
			}
		})
	}
}

func TestOptions(t *testing.T) {
	o, err := parseOptions(map[string]string{"tick-ms": "50", "election-ms": "500", "snapshot-count": "7"})
	if err != nil {
		t.Fatal(err)
	}
	if o != (options{tickMs: 50, electionMs: 500, snapshotCount: 7, conns: DefaultConns}) {
		t.Fatalf("options = %+v", o)
	}
	if o, err := parseOptions(map[string]string{"peer-proxy": "true"}); err != nil || !o.peerProxy {
		t.Errorf("peer-proxy true: %+v, %v", o, err)
	}
	for _, bad := range []map[string]string{{"tick-ms": "x"}, {"fsync": "1"}, {"peer-proxy": "yes"}, {"peer-proxy": "1"}} {
		if _, err := parseOptions(bad); err == nil {
			t.Errorf("parseOptions(%v) = nil error", bad)
		}
	}
	_, err = Backend{}.Start(context.Background(), backend.Spec{Nodes: 1, Mode: backend.ModeInProcess, Dir: t.TempDir(), Options: map[string]string{"nope": "1"}})
	if err == nil {
		t.Fatal("Start with an unknown option succeeded")
	}
}
