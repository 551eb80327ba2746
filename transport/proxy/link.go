package proxy

import (
	"errors"
	"io"
	"net"
	"sync"
	"time"

	"faultline/transport"
)

// Retransmission timing of a lost chunk: TCP's initial timeout, doubled for
// every further loss in a row, up to the cap.
const (
	rto    = 200 * time.Millisecond
	maxRTO = 3 * time.Second
)

// chunkSize bounds the bytes read (and delayed) as one unit.
const chunkSize = 32 << 10

// linkProxy is the proxy of one directed link.
type linkProxy struct {
	m        *Mesh
	from, to string
	target   string
	ln       net.Listener
	mu       sync.Mutex
	conns    map[*pair]bool
}

// pair is one proxied connection: client is from's side, server is to's.
type pair struct {
	client, server *net.TCPConn
	once           sync.Once
	closed         chan struct{} // closed by close
}

// close closes both sides; with reset they are closed abruptly (RST).
func (p *pair) close(reset bool) {
	p.once.Do(func() {
		if reset {
			p.client.SetLinger(0)
			p.server.SetLinger(0)
		}
		p.client.Close()
		p.server.Close()
		close(p.closed)
	})
}

func (lp *linkProxy) accept() {
	for {
		c, err := lp.ln.Accept()
		if err != nil {
			return
		}
		client := c.(*net.TCPConn)
		if l, _ := lp.m.link(lp.from, lp.to); l.Conn == transport.ConnReset {
			client.SetLinger(0)
			client.Close()
			continue
		}
		lp.m.wg.Go(func() { lp.serve(client) })
	}
}

func (lp *linkProxy) serve(client *net.TCPConn) {
	d := net.Dialer{Timeout: 2 * time.Second}
	sc, err := d.Dial("tcp", lp.target)
	if err != nil {
		client.SetLinger(0)
		client.Close()
		return
	}
	p := &pair{client: client, server: sc.(*net.TCPConn), closed: make(chan struct{})}
	lp.mu.Lock()
	select {
	case <-lp.m.done:
		lp.mu.Unlock()
		p.close(true)
		return
	default:
	}
	lp.conns[p] = true
	lp.mu.Unlock()
	var wg sync.WaitGroup
	wg.Go(func() { lp.pump(p, p.client, p.server, lp.from, lp.to) })
	wg.Go(func() { lp.pump(p, p.server, p.client, lp.to, lp.from) })
	wg.Wait()
	p.close(false)
	lp.mu.Lock()
	delete(lp.conns, p)
	lp.mu.Unlock()
}

// closeAll closes every connection of the link, abruptly (RST) with reset:
// at a reset fault, and at Close.
func (lp *linkProxy) closeAll(reset bool) {
	lp.mu.Lock()
	ps := make([]*pair, 0, len(lp.conns))
	for p := range lp.conns {
		ps = append(ps, p)
	}
	lp.mu.Unlock()
	for _, p := range ps {
		p.close(reset)
	}
}

// chunk is bytes read from one side, due for delivery at due.
type chunk struct {
	b   []byte
	due time.Time
	eof bool // the source closed: close the write side after b
}

// pump copies src to dst under the faults of from -> to: a reader stamps
// every chunk with its delivery time (in order: a chunk is never due
// before the one before it), a writer delivers them, paced by the bandwidth
// limit and held while the link is blocked or stalled.
func (lp *linkProxy) pump(p *pair, src, dst *net.TCPConn, from, to string) {
	q := make(chan chunk, 64)
	var wg sync.WaitGroup
	wg.Go(func() { lp.write(p, dst, q, from, to) })
	defer wg.Wait()
	defer close(q)
	var last time.Time
	losses := 0
	for {
		b := make([]byte, chunkSize)
		n, err := src.Read(b)
		now := time.Now()
		if n > 0 {
			transit, lost := lp.m.draw(from, to)
			due := now.Add(transit)
			if lost {
				due = due.Add(min(rto<<losses, maxRTO))
				losses = min(losses+1, 8)
			} else {
				losses = 0
			}
			if due.Before(last) {
				due = last
			}
			last = due
			select {
			case q <- chunk{b: b[:n], due: due}:
			case <-p.closed:
				return
			case <-lp.m.done:
				return
			}
		}
		if err != nil {
			eof := errors.Is(err, io.EOF)
			select {
			case q <- chunk{due: last, eof: eof}:
			case <-p.closed:
			case <-lp.m.done:
			}
			if !eof {
				p.close(true)
			}
			return
		}
	}
}

func (lp *linkProxy) write(p *pair, dst *net.TCPConn, q <-chan chunk, from, to string) {
	for c := range q {
		if !lp.hold(p, c.due, from, to) {
			p.close(true)
			continue // drain until the reader stops
		}
		if c.eof {
			lp.slowClose(from, to)
			dst.CloseWrite()
			continue
		}
		b := c.b
		for len(b) > 0 {
			n := len(b)
			l, _ := lp.m.link(from, to)
			if l.Bandwidth > 0 {
				// Send at most 1/20 s worth at a time, paced.
				n = min(n, max(int(l.Bandwidth/20), 1))
				if !lp.sleep(time.Duration(float64(n) / float64(l.Bandwidth) * float64(time.Second))) {
					p.close(true)
					break
				}
			}
			if _, err := dst.Write(b[:n]); err != nil {
				p.close(true)
				break
			}
			b = b[n:]
		}
	}
}

// hold waits until due and until the link is neither blocked nor stalled.
// It reports false if the connection or the mesh closed meanwhile.
func (lp *linkProxy) hold(p *pair, due time.Time, from, to string) bool {
	if !lp.sleep(time.Until(due)) {
		return false
	}
	for {
		l, changed := lp.m.link(from, to)
		if !l.Blocked && l.Conn != transport.ConnStall {
			return true
		}
		select {
		case <-changed:
		case <-p.closed:
			return false
		case <-lp.m.done:
			return false
		}
	}
}

// slowClose holds a closing connection while the link has ConnSlowClose.
func (lp *linkProxy) slowClose(from, to string) {
	l, _ := lp.m.link(from, to)
	if l.Conn != transport.ConnSlowClose {
		l, _ = lp.m.link(to, from)
	}
	if l.Conn != transport.ConnSlowClose {
		return
	}
	d := l.SlowClose
	if d == 0 {
		d = transport.DefaultSlowClose
	}
	lp.sleep(d)
}

// sleep waits d, reporting false if the mesh closed first.
func (lp *linkProxy) sleep(d time.Duration) bool {
	if d <= 0 {
		return true
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-lp.m.done:
		return false
	}
}
