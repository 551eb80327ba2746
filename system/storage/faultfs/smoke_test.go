package faultfs

import "testing"

func TestSmoke(t *testing.T) {
	f := mountT(t, 1)
	create(t, f, "a", []byte("durable"), true)
	syncDir(t, f, "")
	appendTo(t, f, "a", []byte(" lost"), false)
	wantContent(t, f, "a", []byte("durable lost"))
	create(t, f, "b", []byte("gone"), true)
	rep := powerLoss(t, f, DropUnsynced)
	t.Logf("%+v", rep)
	wantContent(t, f, "a", []byte("durable"))
	wantGone(t, f, "b")
}
