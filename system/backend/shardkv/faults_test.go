package shardkv

import (
	"testing"
	"time"

	"faultline/system/backend/nodeproc"
	"faultline/transport"
)

// TestFaultsSupportEveryLinkFault checks that the cluster's seam declares
// support for every link fault (so chaos passes bandwidth limits, bursts,
// distributions and connection faults straight through to the nodes'
// tables) and still refuses invalid ones.
func TestFaultsSupportEveryLinkFault(t *testing.T) {
	var lf transport.LinkFaulter = &addrFaults{RemoteFaults: nodeproc.NewRemoteFaults(nil), addr: map[string]string{}}
	sup, ok := lf.(transport.FaultSupport)
	if !ok {
		t.Fatal("the shardkv fault seam does not implement transport.FaultSupport")
	}
	for _, f := range []transport.LinkFaults{
		{Bandwidth: 1 << 20}, {Conn: transport.ConnReset}, {Conn: transport.ConnStall},
		{Conn: transport.ConnSlowClose, SlowClose: time.Second}, {Drop: 0.2, Burst: 4},
		{Delay: time.Millisecond, Jitter: time.Millisecond, Distribution: transport.DelayPareto},
	} {
		if err := sup.SupportsLink(f); err != nil {
			t.Errorf("%+v: %v", f, err)
		}
	}
	if sup.SupportsLink(transport.LinkFaults{Bandwidth: -1}) == nil {
		t.Error("a negative bandwidth is supported")
	}
}
