package proxy

import (
	"io"
	"net"
	"time"
)

// spliceDial bounds Splice's dial of its target.
const spliceDial = 5 * time.Second

// Splice dials target, writes head (bytes already taken from c, if any)
// to it, and copies bytes both ways between c and the target until either
// side ends, reading c's bytes through from (a buffered reader over c, or
// nil for c itself); the dialled connection is tracked, so that Close ends it. It
// is the body of a relay's handler once the handler chose where c goes.
func (s *Server) Splice(c net.Conn, target string, head []byte, from io.Reader) {
	d, err := net.DialTimeout("tcp", target, spliceDial)
	if err != nil {
		return
	}
	if !s.Track(d) {
		return
	}
	defer s.Untrack(d)
	if len(head) > 0 {
		if _, err := d.Write(head); err != nil {
			return
		}
	}
	if from == nil {
		from = c
	}
	done := make(chan struct{})
	go func() {
		_, _ = io.Copy(c, d)
		c.Close()
		d.Close()
		close(done)
	}()
	_, _ = io.Copy(d, from)
	c.Close()
	d.Close()
	<-done
}
