package proxy

import (
	"errors"
	"io"
	"net"
	"testing"
	"time"
)

// TestServerCloseEndsHandlers: Close closes the accepted connection and a
// tracked one, waits for the handler, and a second Close is a no-op.
func TestServerCloseEndsHandlers(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	side, other := net.Pipe()
	defer other.Close()
	started, ended := make(chan struct{}), make(chan error, 1)
	s := Serve(ln, func(_ *Server, c net.Conn) {
		close(started)
		_, err := io.Copy(io.Discard, c) // until Close closes c
		if errors.Is(err, net.ErrClosed) {
			err = nil
		}
		if _, perr := side.Read(make([]byte, 1)); perr == nil {
			err = io.ErrUnexpectedEOF
		}
		ended <- err
	})
	if !s.Track(side) {
		t.Fatal("Track before Close refused a connection")
	}
	c, err := net.Dial("tcp", s.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	select {
	case <-started:
	case err := <-ended:
		t.Fatalf("handler ended before Close: %v", err)
	case <-time.After(10 * time.Second):
		t.Fatal("no connection handled")
	}
	if err := s.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	select {
	case err := <-ended:
		if err != nil {
			t.Fatalf("handler: %v", err)
		}
	default:
		t.Fatal("Close returned before the handler")
	}
	if err := s.Close(); err != nil {
		t.Fatalf("second Close: %v", err)
	}
	if s.Track(other) {
		t.Fatal("Track after Close accepted a connection")
	}
}
