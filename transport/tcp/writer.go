package tcp

import (
	"net"
	"runtime"
	"sync"
)

// bufSize is the size of each connection's bufio reader, and of the
// batch buffers its writer starts with.
const bufSize = 64 << 10

// maxQueued bounds the bytes of frames that may wait for a connection's
// writer; a sender past it waits until the writer takes the batch. One
// frame of any size is always let in, so a frame larger than the bound
// waits only for the frames before it.
const maxQueued = 1 << 20

// connWriter owns the write side of one connection. Senders append their
// encoded frames to one batch buffer under a mutex; one goroutine takes
// the whole batch and writes it in a single syscall, while senders fill
// the next one. Frames sent while a write is under way therefore share
// the next write, and no frame costs a channel operation: the writer is
// woken once per batch, not per frame.
//
// The batch buffers come from a pool when a batch starts and go back when
// the writer finds nothing more to write, so an idle connection holds
// none.
type connWriter struct {
	nc   net.Conn
	wake chan struct{}   // capacity 1: the batch went from empty to not
	done <-chan struct{} // closed when the connection shuts down

	mu      sync.Mutex
	queued  []byte        // frames waiting for the writer; nil when idle
	active  bool          // the writer will look at queued again before it sleeps
	failed  bool          // a write failed: frames are dropped
	room    chan struct{} // closed and replaced when the writer takes a batch while senders wait on it
	waiting int           // senders waiting on room (over maxQueued)
	writing []byte        // the batch being written; writer only
}

var batchPool = sync.Pool{New: func() any {
	b := make([]byte, 0, bufSize)
	return &b
}}

// maxPooledBatch bounds the batch buffers kept for reuse, so that one huge
// frame does not pin its memory.
const maxPooledBatch = 4 * bufSize

func newConnWriter(nc net.Conn, done <-chan struct{}) *connWriter {
	return &connWriter{
		nc:   nc,
		wake: make(chan struct{}, 1),
		done: done,
		room: make(chan struct{}),
	}
}

// send queues a copy of b's frame for writing and recycles b. It reports
// false when the connection has shut down. After a failed write (see
// fail) it drops the frame and reports true: the connection is failing,
// and its calls are failed with it.
func (w *connWriter) send(b *buffer) bool {
	ok := w.queue(b.b)
	putBuffer(b)
	return ok
}

func (w *connWriter) queue(frame []byte) bool {
	w.mu.Lock()
	for len(w.queued) > 0 && len(w.queued)+len(frame) > maxQueued && !w.failed {
		room := w.room
		w.waiting++
		w.mu.Unlock()
		select {
		case <-room:
		case <-w.done:
			w.mu.Lock()
			w.waiting--
			w.mu.Unlock()
			return false
		}
		w.mu.Lock()
		w.waiting--
	}
	if w.failed {
		w.mu.Unlock()
		return true
	}
	if w.queued == nil {
		w.queued = (*batchPool.Get().(*[]byte))[:0]
	}
	w.queued = append(w.queued, frame...)
	wake := !w.active
	w.active = true
	w.mu.Unlock()
	if wake {
		select {
		case w.wake <- struct{}{}:
		default:
		}
	}
	return true
}

// run writes queued batches until done is closed (nil) or a write fails
// (the error, after which send drops frames). Frames still queued at that
// point are dropped.
func (w *connWriter) run() error {
	for {
		select {
		case <-w.wake:
		case <-w.done:
			w.fail()
			return nil
		}
		if err := w.drain(); err != nil {
			w.fail()
			return err
		}
	}
}

// drain writes batches until none is queued, then marks the writer idle.
func (w *connWriter) drain() error {
	for {
		// Give the goroutines made runnable by the last batch (callers,
		// handlers) a chance to queue more before paying for a write.
		runtime.Gosched()
		w.mu.Lock()
		if len(w.queued) == 0 {
			w.active = false
			idle := w.queued
			w.queued = nil
			w.mu.Unlock()
			recycleBatch(idle)
			recycleBatch(w.writing)
			w.writing = nil
			return nil
		}
		if w.writing == nil {
			w.writing = (*batchPool.Get().(*[]byte))[:0]
		}
		w.queued, w.writing = w.writing[:0], w.queued
		if w.waiting > 0 {
			close(w.room)
			w.room = make(chan struct{})
		}
		w.mu.Unlock()
		if _, err := w.nc.Write(w.writing); err != nil {
			return err
		}
	}
}

// fail makes later sends drop their frames, and drops the queued ones.
func (w *connWriter) fail() {
	w.mu.Lock()
	w.failed = true
	queued := w.queued
	w.queued = nil
	w.mu.Unlock()
	recycleBatch(queued)
}

func recycleBatch(b []byte) {
	if b != nil && cap(b) <= maxPooledBatch {
		b = b[:0]
		batchPool.Put(&b)
	}
}
