package tcp

import (
	"bufio"
	"errors"
	"net"
	"os"
	"sync"
	"time"
)

// connReader is the stream under a server connection's frameReader. It
// puts a deadline on every read by the state the connection is in:
//
//   - at a frame boundary (nothing of the next frame has arrived), the
//     connection may be idle: it waits up to idleRelease, then gives its
//     bufio.Reader back to a pool and waits for one byte in pre, holding no
//     buffer, until IdleTimeout has passed since the last frame (errIdle);
//   - in the middle of a frame, the frame must be complete within
//     FrameTimeout of the first read that had to wait for it: a peer
//     trickling bytes gets os.ErrDeadlineExceeded.
//
// Deadlines are set only on reads that reach the socket, and a boundary
// deadline is re-armed only when half of it has gone, so pipelined frames
// read out of the buffer cost nothing.
type connReader struct {
	nc          net.Conn
	frame, idle time.Duration // Config.FrameTimeout and IdleTimeout
	busy        func() bool   // requests of this connection are being handled

	boundary   bool      // no byte of the next frame has been read
	frameStart time.Time // when a read in the current frame first waited; zero until then
	deadline   time.Time // the read deadline set on nc
	deadlineAt bool      // deadline is a boundary deadline
	lastFrame  time.Time // when the last frame boundary was reached
	wasBusy    bool      // handlers were running at the last idle deadline
	pre        [1]byte   // the byte that woke an idle connection
	preN       int
}

// idleRelease is how long a connection waits at a frame boundary before
// it gives its read buffer back. A variable for tests.
var idleRelease = time.Second

// errIdle ends a connection idle for Config.IdleTimeout.
var errIdle = errors.New("idle connection")

var readerPool = sync.Pool{New: func() any { return bufio.NewReaderSize(nil, bufSize) }}

func (c *connReader) Read(p []byte) (int, error) {
	if c.preN > 0 && len(p) > 0 {
		p[0] = c.pre[0]
		c.preN = 0
		c.boundary = false
		return 1, nil
	}
	now := time.Now()
	switch {
	case c.boundary:
		if !c.deadlineAt || c.deadline.Sub(now) < idleRelease/2 {
			d := now.Add(idleRelease)
			if end := c.lastFrame.Add(c.idle); end.Before(d) {
				d = end
			}
			c.setDeadline(d, true)
		}
	default:
		if c.frameStart.IsZero() {
			c.frameStart = now
			c.setDeadline(now.Add(c.frame), false)
		}
	}
	n, err := c.nc.Read(p)
	if n > 0 {
		c.boundary = false
	}
	return n, err
}

func (c *connReader) setDeadline(d time.Time, boundary bool) {
	_ = c.nc.SetReadDeadline(d)
	c.deadline, c.deadlineAt = d, boundary
}

// await returns when the first byte of the next frame is in fr's buffer
// (or was already), with fr.r held; or with errIdle, or the stream's error.
func (c *connReader) await(fr *frameReader) error {
	c.frameStart = time.Time{}
	if fr.r != nil && fr.r.Buffered() > 0 {
		c.boundary = false
		return nil
	}
	c.boundary = true
	c.lastFrame = time.Now()
	c.wasBusy = false
	for {
		if fr.r != nil {
			_, err := fr.r.Peek(1)
			if err == nil {
				return nil
			}
			if !errors.Is(err, os.ErrDeadlineExceeded) {
				return err
			}
			// Quiet for a while: wait without a buffer.
			fr.r.Reset(nil)
			readerPool.Put(fr.r)
			fr.r = nil
		}
		c.setDeadline(c.lastFrame.Add(c.idle), false)
		n, err := c.nc.Read(c.pre[:])
		if n > 0 {
			c.preN = 1
			fr.r = readerPool.Get().(*bufio.Reader)
			fr.r.Reset(c)
			return nil
		}
		if !errors.Is(err, os.ErrDeadlineExceeded) {
			return err
		}
		// Handlers running now, or at the last look (their replies may
		// have just gone out), make the connection busy, not idle.
		busy := c.busy()
		if !busy && !c.wasBusy {
			return errIdle
		}
		c.wasBusy = busy
		c.lastFrame = time.Now()
	}
}

// release gives fr's buffer back when the connection ends.
func (c *connReader) release(fr *frameReader) {
	if fr.r != nil {
		fr.r.Reset(nil)
		readerPool.Put(fr.r)
		fr.r = nil
	}
}
