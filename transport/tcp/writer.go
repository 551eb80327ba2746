package tcp

import (
	"bufio"
	"net"
	"runtime"
)

// writeQueueLen is the number of frames that may wait for a connection's
// writer before senders block.
const writeQueueLen = 256

// bufSize is the size of each connection's bufio reader and writer.
const bufSize = 64 << 10

// connWriter owns the write side of one connection: senders queue encoded
// frames; one goroutine writes them through a bufio.Writer and flushes only
// when the queue is empty, so frames queued together share one syscall.
type connWriter struct {
	bw    *bufio.Writer
	queue chan *buffer
	done  <-chan struct{} // closed when the connection shuts down
}

func newConnWriter(nc net.Conn, done <-chan struct{}) *connWriter {
	return &connWriter{
		bw:    bufio.NewWriterSize(nc, bufSize),
		queue: make(chan *buffer, writeQueueLen),
		done:  done,
	}
}

// send queues b for writing and takes ownership of it. It reports false
// (and recycles b) when the connection has shut down.
func (w *connWriter) send(b *buffer) bool {
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
			if err := w.write(b); err != nil {
				return err
			}
			if err := w.drain(); err != nil {
				return err
			}
			// Give the goroutines made runnable by this batch (callers,
			// handlers) a chance to queue more before paying for a write.
			runtime.Gosched()
			if err := w.drain(); err != nil {
				return err
			}
			if err := w.bw.Flush(); err != nil {
				return err
			}
		case <-w.done:
			return nil
		}
	}
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
