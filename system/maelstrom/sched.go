package maelstrom

import (
	"sync"
	"time"
)

// flight is one message copy on its way.
type flight struct {
	due   int64 // nanoseconds since the router's start
	msg   Message
	typ   string
	class trafficClass
	entry int // journal index, or -1
}

// slot is a flight's place in the heap: its due time, its number in send
// order (so that copies due at the same time leave in that order), and
// where the flight itself is kept. Slots hold no pointers, so that moving
// them costs no write barriers.
type slot struct {
	due int64
	seq uint64
	at  int32 // index into scheduler.flights
}

// before orders slots by due time, then by send order.
func (a *slot) before(b *slot) bool {
	return a.due < b.due || (a.due == b.due && a.seq < b.seq)
}

// maxBatch bounds how many due flights one turn of the scheduler hands
// over, so that a burst never holds later deadlines back for long.
const maxBatch = 512

// scheduler is the router's one delivery goroutine: a min-heap of flights
// by due time, and a loop that sleeps until the earliest is due and hands
// the due ones to deliver. There is never a goroutine per message.
type scheduler struct {
	start   time.Time
	deliver func(batch []flight)

	mu      sync.Mutex
	heap    []slot   // a min-heap by due time, then seq
	flights []flight // the flights the heap's slots point at
	free    []int32  // unused indices of flights
	seq     uint64
	closed  bool

	wake chan struct{} // buffered 1: the earliest deadline moved up
	done chan struct{} // closed by close
	exit chan struct{} // closed when the loop has returned
}

func newScheduler(start time.Time, deliver func([]flight)) *scheduler {
	s := &scheduler{
		start:   start,
		deliver: deliver,
		wake:    make(chan struct{}, 1),
		done:    make(chan struct{}),
		exit:    make(chan struct{}),
	}
	go s.loop()
	return s
}

// now is the time since the router's start on the monotonic clock.
func (s *scheduler) now() int64 { return int64(time.Since(s.start)) }

// push schedules f (its due time set) and wakes the loop if f is now the
// earliest. It reports false once the scheduler is closed.
func (s *scheduler) push(f flight) bool {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return false
	}
	s.seq++
	var at int32
	if n := len(s.free); n > 0 {
		at = s.free[n-1]
		s.free = s.free[:n-1]
		s.flights[at] = f
	} else {
		at = int32(len(s.flights))
		s.flights = append(s.flights, f)
	}
	s.heap = append(s.heap, slot{due: f.due, seq: s.seq, at: at})
	i := s.up(len(s.heap) - 1)
	s.mu.Unlock()
	if i == 0 {
		select {
		case s.wake <- struct{}{}:
		default:
		}
	}
	return true
}

// close stops the loop and waits for it; flights still queued are
// discarded.
func (s *scheduler) close() {
	s.mu.Lock()
	already := s.closed
	s.closed = true
	s.heap, s.flights, s.free = nil, nil, nil
	s.mu.Unlock()
	if !already {
		close(s.done)
	}
	<-s.exit
}

func (s *scheduler) loop() {
	defer close(s.exit)
	timer := time.NewTimer(time.Hour)
	defer timer.Stop()
	batch := make([]flight, 0, maxBatch)
	for {
		batch = batch[:0]
		s.mu.Lock()
		now := s.now()
		for len(s.heap) > 0 && s.heap[0].due <= now && len(batch) < maxBatch {
			batch = append(batch, s.pop())
		}
		wait := time.Duration(-1)
		if len(s.heap) > 0 {
			wait = time.Duration(s.heap[0].due - now)
		}
		s.mu.Unlock()
		if len(batch) > 0 {
			s.deliver(batch)
			clear(batch) // let delivered bodies go
			continue
		}
		var tick <-chan time.Time
		if wait >= 0 {
			timer.Reset(wait)
			tick = timer.C
		}
		select {
		case <-s.done:
			return
		case <-s.wake:
		case <-tick:
		}
	}
}

// up restores the heap order from i towards the root and returns where
// the flight came to rest. s.mu is held.
func (s *scheduler) up(i int) int {
	h := s.heap
	for i > 0 {
		p := (i - 1) / 2
		if !h[i].before(&h[p]) {
			break
		}
		h[i], h[p] = h[p], h[i]
		i = p
	}
	return i
}

// pop removes and returns the earliest flight. s.mu is held and the heap
// is not empty.
func (s *scheduler) pop() flight {
	h := s.heap
	top := h[0]
	last := len(h) - 1
	h[0] = h[last]
	h = h[:last]
	for i := 0; ; {
		l, r, m := 2*i+1, 2*i+2, i
		if l < len(h) && h[l].before(&h[m]) {
			m = l
		}
		if r < len(h) && h[r].before(&h[m]) {
			m = r
		}
		if m == i {
			break
		}
		h[i], h[m] = h[m], h[i]
		i = m
	}
	s.heap = h
	f := s.flights[top.at]
	s.flights[top.at] = flight{}
	s.free = append(s.free, top.at)
	return f
}
