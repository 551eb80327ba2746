package tcp

import (
	"bytes"
	"encoding/binary"
	"io"
	"net"
	"sync"
	"testing"
)

// newPipeWriter runs a connWriter on one end of a synchronous pipe (a
// Write returns only when the other end has read it all) and returns it
// with the other end and a channel carrying run's result.
func newPipeWriter(t *testing.T) (*connWriter, net.Conn, <-chan error) {
	t.Helper()
	a, b := net.Pipe()
	done := make(chan struct{})
	w := newConnWriter(a, done)
	ran := make(chan error, 1)
	exited := make(chan struct{})
	go func() {
		defer close(exited)
		ran <- w.run()
	}()
	t.Cleanup(func() {
		close(done)
		a.Close()
		b.Close()
		<-exited
	})
	return w, b, ran
}

// sendFrame queues a frame holding id and size-12 filler bytes.
func sendFrame(w *connWriter, id uint64, size int) bool {
	buf := getBuffer()
	buf.b = binary.BigEndian.AppendUint64(buf.b[:0], id)
	buf.b = binary.BigEndian.AppendUint32(buf.b, uint32(size))
	buf.b = append(buf.b, bytes.Repeat([]byte{byte(id)}, size-12)...)
	return w.send(buf)
}

// readFrame reads one frame sendFrame wrote and returns its id.
func readFrame(t *testing.T, r io.Reader) uint64 {
	t.Helper()
	var head [12]byte
	if _, err := io.ReadFull(r, head[:]); err != nil {
		t.Fatal(err)
	}
	id := binary.BigEndian.Uint64(head[:])
	rest := make([]byte, binary.BigEndian.Uint32(head[8:])-12)
	if _, err := io.ReadFull(r, rest); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(rest, bytes.Repeat([]byte{byte(id)}, len(rest))) {
		t.Fatalf("frame %d corrupted", id)
	}
	return id
}

// TestWriterKeepsEachSendersOrder: frames from concurrent senders arrive
// whole, and each sender's in the order it sent them.
func TestWriterKeepsEachSendersOrder(t *testing.T) {
	w, r, _ := newPipeWriter(t)
	const senders, each = 8, 300
	var wg sync.WaitGroup
	for s := range senders {
		wg.Go(func() {
			for i := range each {
				sendFrame(w, uint64(s)<<32|uint64(i), 12+(s*each+i)%700)
			}
		})
	}
	next := make([]uint64, senders)
	for range senders * each {
		id := readFrame(t, r)
		s, i := id>>32, id&(1<<32-1)
		if i != next[s] {
			t.Fatalf("sender %d: frame %d arrived, want %d", s, i, next[s])
		}
		next[s]++
	}
	wg.Wait()
}

// TestWriterBoundsQueuedBytes: while a write is stuck, senders queue up to
// maxQueued bytes; the next one waits until the writer takes the batch. A
// single frame larger than the bound still goes through.
func TestWriterBoundsQueuedBytes(t *testing.T) {
	w, r, _ := newPipeWriter(t)
	const size = 64 << 10
	sendFrame(w, 0, 100) // the writer takes it and blocks: nobody reads
	waitFor(t, "the first batch to be taken", func() bool {
		w.mu.Lock()
		defer w.mu.Unlock()
		return w.active && len(w.queued) == 0
	})
	n := maxQueued / size
	for i := range n {
		sendFrame(w, uint64(1+i), size)
	}
	over := make(chan bool)
	go func() { over <- sendFrame(w, uint64(1+n), size) }()
	waitFor(t, "a sender over the bound to wait", func() bool {
		w.mu.Lock()
		defer w.mu.Unlock()
		return w.waiting == 1 && len(w.queued) == n*size
	})
	for i := range n + 2 {
		if id := readFrame(t, r); id != uint64(i) {
			t.Fatalf("frame %d arrived, want %d", id, i)
		}
	}
	if !<-over {
		t.Fatal("the waiting sender's frame was refused")
	}
	sendFrame(w, 99, 3*maxQueued)
	if id := readFrame(t, r); id != 99 {
		t.Fatalf("frame %d arrived, want the large one", id)
	}
	waitFor(t, "the writer to go idle holding no buffer", func() bool {
		w.mu.Lock()
		defer w.mu.Unlock()
		return !w.active && w.queued == nil
	})
}

// TestWriterDropsAfterFailure: once a write fails, run returns the error
// and later sends are dropped without blocking.
func TestWriterDropsAfterFailure(t *testing.T) {
	w, r, ran := newPipeWriter(t)
	r.Close()
	sendFrame(w, 1, 100)
	if err := <-ran; err == nil {
		t.Fatal("run returned nil after a failed write")
	}
	for i := range 2 * maxQueued / (64 << 10) {
		if !sendFrame(w, uint64(i), 64<<10) {
			t.Fatal("send after a failed write reported a shut-down connection")
		}
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.queued != nil {
		t.Errorf("%d bytes queued after a failed write", len(w.queued))
	}
}
