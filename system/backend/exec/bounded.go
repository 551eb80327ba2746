package exec

import (
	"errors"
	"fmt"
	"net"
	"strconv"
)

// Bounds of what a RESP connection accepts from a server. Neither
// go-redis nor redigo bounds a reply: both allocate whatever length a
// bulk string announces, so a hostile or broken server could make the
// harness allocate gigabytes with a dozen bytes. guardConn checks every
// announced length and count before the library parses it.
const (
	maxBulk   = 64 << 20 // bytes of one bulk string
	maxElems  = 1 << 20  // elements of one aggregate
	maxHeader = 64 << 10 // bytes of one header or simple line
)

// errHostile is a reply beyond the bounds.
var errHostile = errors.New("resp: reply beyond bounds")

// guardConn is a connection whose reads are scanned as a stream of RESP
// values: header lines (type byte, text, CRLF) and bulk payloads, which it
// skips by their announced length. A read that brings a value beyond the
// bounds fails, and the connection is closed.
type guardConn struct {
	net.Conn
	scan respScan
}

func (c *guardConn) Read(b []byte) (int, error) {
	n, err := c.Conn.Read(b)
	if serr := c.scan.feed(b[:n]); serr != nil {
		c.Conn.Close()
		return 0, serr
	}
	return n, err
}

// respScan is the state of a RESP stream scanner.
type respScan struct {
	skip int64  // payload bytes (and CRLF) still to skip
	line []byte // the header line read so far
}

// feed scans b, which continues the stream.
func (s *respScan) feed(b []byte) error {
	for len(b) > 0 {
		if s.skip > 0 {
			k := min(int64(len(b)), s.skip)
			s.skip -= k
			b = b[k:]
			continue
		}
		i := 0
		for i < len(b) && b[i] != '\n' {
			i++
		}
		if len(s.line)+i > maxHeader {
			return fmt.Errorf("%w: a line of more than %d bytes", errHostile, maxHeader)
		}
		s.line = append(s.line, b[:i]...)
		if i == len(b) {
			return nil
		}
		b = b[i+1:]
		err := s.header(s.line)
		s.line = s.line[:0]
		if err != nil {
			return err
		}
	}
	return nil
}

// header checks one complete header line (without its LF).
func (s *respScan) header(line []byte) error {
	if len(line) == 0 {
		return nil
	}
	if line[len(line)-1] == '\r' {
		line = line[:len(line)-1]
	}
	switch line[0] {
	case '$', '!', '=': // bulk string, bulk error, verbatim string
		n, err := strconv.ParseInt(string(line[1:]), 10, 64)
		if err != nil || n > maxBulk {
			return fmt.Errorf("%w: bulk length %q (at most %d)", errHostile, line[1:], maxBulk)
		}
		if n >= 0 {
			s.skip = n + 2
		}
	case '*', '%', '~', '>', '|': // array, map, set, push, attribute
		n, err := strconv.ParseInt(string(line[1:]), 10, 64)
		if err != nil || n > maxElems {
			return fmt.Errorf("%w: aggregate count %q (at most %d)", errHostile, line[1:], maxElems)
		}
	}
	return nil
}
