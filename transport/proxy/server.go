package proxy

import (
	"net"
	"sync"
)

// Server is the accept loop and connection set of a byte-stream relay that
// stands outside a Mesh (etcd's per-member Fronts, the hostile tests'
// Relay): it serves every connection accepted on its listener with a
// handler on its own goroutine, and keeps every connection it accepted or a
// handler handed it (Track), so that Close stops accepting, closes them all
// and waits for the handlers.
type Server struct {
	ln     net.Listener
	handle func(*Server, net.Conn)

	mu     sync.Mutex
	conns  map[net.Conn]struct{}
	closed bool
	wg     sync.WaitGroup
}

// Serve accepts connections on ln until Close and runs handle on each, on
// its own goroutine, with the Server (to Track what it dials). The
// connection is closed when handle returns.
func Serve(ln net.Listener, handle func(*Server, net.Conn)) *Server {
	s := &Server{ln: ln, handle: handle, conns: map[net.Conn]struct{}{}}
	s.wg.Add(1)
	go s.accept()
	return s
}

// Addr is the listener's address.
func (s *Server) Addr() net.Addr { return s.ln.Addr() }

func (s *Server) accept() {
	defer s.wg.Done()
	for {
		c, err := s.ln.Accept()
		if err != nil {
			return
		}
		if !s.Track(c) {
			return
		}
		s.wg.Add(1)
		go func() {
			defer s.wg.Done()
			defer s.Untrack(c)
			s.handle(s, c)
		}()
	}
}

// Track registers c (a connection a handler dialed) so that Close closes
// it; it returns false, having closed c, if the Server is closed.
func (s *Server) Track(c net.Conn) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		c.Close()
		return false
	}
	s.conns[c] = struct{}{}
	return true
}

// Untrack forgets c and closes it.
func (s *Server) Untrack(c net.Conn) {
	s.mu.Lock()
	delete(s.conns, c)
	s.mu.Unlock()
	c.Close()
}

// Close stops accepting, closes every tracked connection and waits for the
// handlers to return. It is safe to call more than once; only the first
// call reports the listener's error.
func (s *Server) Close() error {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return nil
	}
	s.closed = true
	err := s.ln.Close()
	for c := range s.conns {
		c.Close()
	}
	s.mu.Unlock()
	s.wg.Wait()
	return err
}
