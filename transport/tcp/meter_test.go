package tcp

import (
	"testing"

	"faultline/transport"
)

// TestMeterCountsCallsAndBytes: a Meter counts each method's calls, the
// request bytes sent and the reply bytes received, including replies that
// a delayed link delivers late.
func TestMeterCountsCallsAndBytes(t *testing.T) {
	l, _ := newEchoServer(t, Config{})
	m := &Meter{}
	faults := NewFaults(1)
	c := dial(t, l.Addr(), Config{Meter: m, Node: "a", Faults: faults})
	for i := 0; i < 10; i++ {
		var r EchoReply
		if !c.Call("Echo.Echo", &EchoArgs{N: i, Pad: make([]byte, 1000)}, &r) {
			t.Fatalf("call %d failed", i)
		}
	}
	for i := 0; i < 3; i++ {
		var r EchoReply
		if !c.Call("Echo.Grow", &EchoArgs{N: 5000}, &r) {
			t.Fatalf("grow %d failed", i)
		}
	}
	s := m.Snapshot()
	echo, grow := s["Echo.Echo"], s["Echo.Grow"]
	if echo.Calls != 10 || grow.Calls != 3 {
		t.Fatalf("calls %+v", s)
	}
	// 1000 bytes of padding each way plus small headers.
	if echo.BytesSent < 10*1000 || echo.BytesSent > 10*1100 || echo.BytesReceived < 10*1000 || echo.BytesReceived > 10*1100 {
		t.Errorf("echo bytes %+v, want about 10,000 each way", echo)
	}
	if grow.BytesSent > 3*100 || grow.BytesReceived < 3*5000 || grow.BytesReceived > 3*5100 {
		t.Errorf("grow bytes %+v, want small requests and ~15,000 bytes of replies", grow)
	}
	// Replies through a faulty (delayed) reverse link are counted too.
	if err := faults.SetLink(c.name, "a", transport.LinkFaults{Delay: 1}); err != nil {
		t.Fatal(err)
	}
	var r EchoReply
	if !c.Call("Echo.Echo", &EchoArgs{Pad: make([]byte, 1000)}, &r) {
		t.Fatal("delayed call failed")
	}
	if got := m.Snapshot()["Echo.Echo"]; got.Calls != 11 || got.BytesReceived < echo.BytesReceived+1000 {
		t.Errorf("after a delayed reply: %+v (before %+v)", got, echo)
	}
	var nilMeter *Meter
	nilMeter.sent("x", 1)
	if len(nilMeter.Snapshot()) != 0 {
		t.Error("a nil Meter counted")
	}
}
