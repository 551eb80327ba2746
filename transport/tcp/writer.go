package tcp

import (
	"bufio"
	"net"
	"runtime"
	"sync"
)

// writeQueueLen is the number of frames that may wait for a connection's
// writer before senders block.
const writeQueueLen = 256

// bufSize is the size of each connection's bufio reader and writer.
const bufSize = 64 << 10

// connWriter owns the write side of one connection: senders queue encoded
// frames; one goroutine writes them through a bufio.Writer and flushes only
// when the queue is empty, so frames queued together share one syscall.
// The bufio.Writer is taken from a pool for each batch and given back
// after its flush, so an idle connection holds no write buffer.
type connWriter struct {
	nc    net.Conn
	bw    *bufio.Writer // nil between batches
	queue chan *buffer
	done  <-chan struct{} // closed when the connection shuts down
}

var writerPool = sync.Pool{New: func() any { return bufio.NewWriterSize(nil, bufSize) }}

func newConnWriter(nc net.Conn, done <-chan struct{}) *connWriter {
	return &connWriter{
		nc:    nc,
		queue: make(chan *buffer, writeQueueLen),
		done:  done,
	}
}

// send queues b for writing and takes ownership of it. It reports false
// (and recycles b) when the connection has shut down.
func (w *connWriter) send(b *buffer) bool {
	select { // the usual case, without the cost of a two-way select
	case w.queue <- b:
		return true
	default:
	}
	select {
	case w.queue <- b:
		return true
	case <-w.done:
		putBuffer(b)
		return false
	}
}

// run writes queued frames until done is closed (nil) or a write fails (the
// error). Frames still queued at that point are dropped.
func (w *connWriter) run() error {
	for {
		select {
		case b := <-w.queue:
			w.bw = writerPool.Get().(*bufio.Writer)
			w.bw.Reset(w.nc)
			err := w.batch(b)
			w.bw.Reset(nil)
			writerPool.Put(w.bw)
			w.bw = nil
			if err != nil {
				return err
			}
		case <-w.done:
			return nil
		}
	}
}

// batch writes b and the frames queued after it, and flushes.
func (w *connWriter) batch(b *buffer) error {
	if err := w.write(b); err != nil {
		return err
	}
	if err := w.drain(); err != nil {
		return err
	}
	// Give the goroutines made runnable by this batch (callers, handlers) a
	// chance to queue more before paying for a write.
	runtime.Gosched()
	if err := w.drain(); err != nil {
		return err
	}
	return w.bw.Flush()
}

// drain writes every frame queued right now.
func (w *connWriter) drain() error {
	for {
		select {
		case b := <-w.queue:
			if err := w.write(b); err != nil {
				return err
			}
		default:
			return nil
		}
	}
}

func (w *connWriter) write(b *buffer) error {
	_, err := w.bw.Write(b.b)
	putBuffer(b)
	return err
}

// discard drops queued frames until done is closed, for a connection whose
// writes failed but which still takes calls (a slow close).
func (w *connWriter) discard() {
	for {
		select {
		case b := <-w.queue:
			putBuffer(b)
		case <-w.done:
			return
		}
	}
}
