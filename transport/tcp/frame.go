package tcp

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
)

// frameType is the first byte of a frame after its length.
type frameType uint8

const (
	frameRequest frameType = 1 // client -> server: method and msgpack args
	frameReply   frameType = 2 // server -> client: msgpack reply
	frameError   frameType = 3 // server -> client: dispatch error text
)

func (t frameType) String() string {
	switch t {
	case frameRequest:
		return "request"
	case frameReply:
		return "reply"
	case frameError:
		return "error"
	}
	return fmt.Sprintf("frameType(%d)", uint8(t))
}

const (
	lenSize       = 4         // the length prefix
	headerSize    = 1 + 8     // type and id, counted by the length
	methodLenSize = 2         // a request's method-name length
	maxMethodLen  = 1<<16 - 1 // what methodLenSize can say
)

// Frame errors. Each one closes the connection the frame arrived on.
var (
	errFrameTooLarge = errors.New("frame exceeds max frame size")
	errMalformed     = errors.New("malformed frame")
	errTruncated     = errors.New("truncated frame")
)

// frame is one decoded frame. Its slices point into the reader's buffers and
// are valid only until the next call to frameReader.next.
type frame struct {
	typ    frameType
	id     uint64
	method []byte // requests only
	body   []byte // msgpack args or reply, or error text
}

// appendHeader appends the start of a frame: a length prefix to be filled in
// by finishFrame, the type and the id.
func appendHeader(b []byte, t frameType, id uint64) []byte {
	b = append(b, 0, 0, 0, 0, byte(t))
	return binary.BigEndian.AppendUint64(b, id)
}

// setFrameID sets the id of the frame that starts at b[0].
func setFrameID(b []byte, id uint64) {
	binary.BigEndian.PutUint64(b[lenSize+1:], id)
}

// finishFrame fills in the length prefix of the frame that starts at
// b[start:] and ends at the end of b. It fails when the frame is longer than
// max.
func finishFrame(b []byte, start, max int) error {
	n := len(b) - start - lenSize
	if n > max {
		return fmt.Errorf("%w: %d bytes, max %d", errFrameTooLarge, n, max)
	}
	binary.BigEndian.PutUint32(b[start:], uint32(n))
	return nil
}

// appendFrame appends f, fully encoded, to b. The caller checks the size.
func appendFrame(b []byte, f frame) []byte {
	start := len(b)
	b = appendHeader(b, f.typ, f.id)
	if f.typ == frameRequest {
		b = binary.BigEndian.AppendUint16(b, uint16(len(f.method)))
		b = append(b, f.method...)
	}
	b = append(b, f.body...)
	binary.BigEndian.PutUint32(b[start:], uint32(len(b)-start-lenSize))
	return b
}

// parseFrame decodes the contents of one frame (everything after the length
// prefix). The result aliases b.
func parseFrame(b []byte) (frame, error) {
	if len(b) < headerSize {
		return frame{}, fmt.Errorf("%w: %d bytes, shorter than a header", errMalformed, len(b))
	}
	f := frame{typ: frameType(b[0]), id: binary.BigEndian.Uint64(b[1:headerSize])}
	rest := b[headerSize:]
	switch f.typ {
	case frameRequest:
		if len(rest) < methodLenSize {
			return frame{}, fmt.Errorf("%w: request %d has no method length", errMalformed, f.id)
		}
		n := int(binary.BigEndian.Uint16(rest))
		rest = rest[methodLenSize:]
		if n > len(rest) {
			return frame{}, fmt.Errorf("%w: request %d method length %d exceeds the %d bytes left", errMalformed, f.id, n, len(rest))
		}
		f.method, f.body = rest[:n:n], rest[n:]
	case frameReply, frameError:
		f.body = rest
	default:
		return frame{}, fmt.Errorf("%w: unknown type %d", errMalformed, uint8(f.typ))
	}
	return f, nil
}

// frameReader reads frames from a buffered stream. Frames that fit the
// bufio.Reader's buffer are parsed in place; longer ones are read into buf,
// which grows with the bytes that actually arrive, so a length prefix alone
// cannot make it allocate max bytes.
type frameReader struct {
	r   *bufio.Reader
	max int
	buf []byte
	// unread is the length of the frame returned last, still to be
	// discarded from r (frames parsed in place).
	unread int
	// src, on a server connection, sets the read deadlines and may take r
	// away while the connection is idle (see connReader); nil on a client.
	src *connReader
}

// bigBufKeep bounds the large-frame buffer kept between frames.
const bigBufKeep = 1 << 20

func newFrameReader(r *bufio.Reader, max int) *frameReader {
	return &frameReader{r: r, max: max}
}

// next reads and parses the next frame. At a clean end of stream it returns
// io.EOF; otherwise any error is a reason to close the connection:
// errFrameTooLarge, errMalformed, errTruncated, or the stream's own error.
func (fr *frameReader) next() (frame, error) {
	if fr.unread > 0 {
		// Cannot fail: those bytes were peeked.
		_, _ = fr.r.Discard(fr.unread)
		fr.unread = 0
	}
	if fr.src != nil {
		if err := fr.src.await(fr); err != nil {
			return frame{}, err
		}
	}
	if cap(fr.buf) > bigBufKeep {
		fr.buf = nil
	}
	p, err := fr.r.Peek(lenSize)
	if err != nil {
		if errors.Is(err, io.EOF) && len(p) > 0 {
			return frame{}, fmt.Errorf("%w: %d of %d length bytes", errTruncated, len(p), lenSize)
		}
		return frame{}, err
	}
	n64 := uint64(binary.BigEndian.Uint32(p))
	if n64 > uint64(fr.max) {
		return frame{}, fmt.Errorf("%w: %d bytes, max %d", errFrameTooLarge, n64, fr.max)
	}
	n := int(n64)
	if n < headerSize {
		return frame{}, fmt.Errorf("%w: length %d, shorter than a header", errMalformed, n)
	}
	_, _ = fr.r.Discard(lenSize)
	var b []byte
	if n <= fr.r.Size() {
		b, err = fr.r.Peek(n)
		if err != nil {
			return frame{}, truncated(err, len(b), n)
		}
		fr.unread = n
	} else {
		fr.buf = fr.buf[:0]
		for len(fr.buf) < n {
			chunk := min(n-len(fr.buf), max(len(fr.buf), 64<<10))
			have := len(fr.buf)
			fr.buf = append(fr.buf, make([]byte, chunk)...)
			m, err := io.ReadFull(fr.r, fr.buf[have:])
			if err != nil {
				return frame{}, truncated(err, have+m, n)
			}
		}
		b = fr.buf
	}
	return parseFrame(b)
}

// truncated classifies a read error in the middle of a frame.
func truncated(err error, got, want int) error {
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		return fmt.Errorf("%w: %d of %d bytes", errTruncated, got, want)
	}
	return err
}
