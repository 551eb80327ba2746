package maelstrom

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
)

// Message is one Maelstrom message: a JSON object with the ids of its
// sender and recipient and a body that the router does not interpret
// beyond its Header.
type Message struct {
	Src  string          `json:"src"`
	Dest string          `json:"dest"`
	Body json.RawMessage `json:"body"`
}

// Header holds the body fields the protocol reserves. MsgID and InReplyTo
// are pointers because both are optional and zero is a valid id.
type Header struct {
	Type      string `json:"type"`
	MsgID     *int64 `json:"msg_id,omitempty"`
	InReplyTo *int64 `json:"in_reply_to,omitempty"`
}

// ParseHeader decodes the reserved fields of a body. A body that is not a
// JSON object, or has no string type, is an error.
func ParseHeader(body json.RawMessage) (Header, error) {
	var h Header
	if err := json.Unmarshal(body, &h); err != nil {
		return Header{}, fmt.Errorf("%w: body: %w", ErrMalformed, err)
	}
	if h.Type == "" {
		return Header{}, fmt.Errorf("%w: body has no type", ErrMalformed)
	}
	return h, nil
}

// ErrMalformed is wrapped by every error about a message that does not
// follow the protocol.
var ErrMalformed = errors.New("malformed maelstrom message")

// DecodeMessage decodes one line of node output into a Message, checking
// that src and dest are present and the body is an object with a type.
func DecodeMessage(line []byte) (Message, Header, error) {
	var m Message
	if err := json.Unmarshal(line, &m); err != nil {
		return Message{}, Header{}, fmt.Errorf("%w: %w", ErrMalformed, err)
	}
	switch {
	case m.Src == "":
		return Message{}, Header{}, fmt.Errorf("%w: no src", ErrMalformed)
	case m.Dest == "":
		return Message{}, Header{}, fmt.Errorf("%w: no dest", ErrMalformed)
	case len(m.Body) == 0 || m.Body[0] != '{':
		return Message{}, Header{}, fmt.Errorf("%w: body is not an object", ErrMalformed)
	}
	h, err := ParseHeader(m.Body)
	if err != nil {
		return Message{}, Header{}, err
	}
	return m, h, nil
}

// DefaultMaxLine bounds one line of node output (one message) in bytes.
const DefaultMaxLine = 4 << 20

// ErrLineTooLong is returned by LineReader.Next for a line above its bound;
// the rest of that line is skipped.
var ErrLineTooLong = errors.New("line too long")

// LineReader reads newline-separated lines of at most max bytes. A longer
// line is skipped to its end and reported as ErrLineTooLong with its first
// bytes, so one bad line never stops the reader or grows its memory.
type LineReader struct {
	r   *bufio.Reader
	max int
	buf []byte
}

// NewLineReader reads lines from r, each at most max bytes (DefaultMaxLine
// when max <= 0).
func NewLineReader(r io.Reader, max int) *LineReader {
	if max <= 0 {
		max = DefaultMaxLine
	}
	return &LineReader{r: bufio.NewReaderSize(r, 64<<10), max: max}
}

// Next returns the next line without its newline. The slice is valid until
// the next call. At the end of input it returns io.EOF (a final line
// without a newline is returned first). A line longer than the bound
// returns ErrLineTooLong (wrapped, with the line's first 64 bytes), after
// which Next goes on with the following line.
func (lr *LineReader) Next() ([]byte, error) {
	lr.buf = lr.buf[:0]
	for {
		chunk, err := lr.r.ReadSlice('\n')
		if len(lr.buf)+len(chunk) > lr.max+1 {
			tooLong := lr.tooLong(append(lr.buf, chunk...))
			for errors.Is(err, bufio.ErrBufferFull) {
				_, err = lr.r.ReadSlice('\n')
			}
			lr.buf = lr.buf[:0]
			return nil, tooLong
		}
		lr.buf = append(lr.buf, chunk...)
		switch {
		case err == nil:
			return bytes.TrimSuffix(lr.buf[:len(lr.buf)-1], []byte{'\r'}), nil
		case errors.Is(err, bufio.ErrBufferFull):
			continue
		case errors.Is(err, io.EOF) && len(lr.buf) > lr.max:
			// A last line without its newline has no byte to spare.
			tooLong := lr.tooLong(lr.buf)
			lr.buf = lr.buf[:0]
			return nil, tooLong
		case errors.Is(err, io.EOF) && len(lr.buf) > 0:
			return lr.buf, nil
		default:
			return nil, err
		}
	}
}

// tooLong is the error for a line over the bound that starts with line.
func (lr *LineReader) tooLong(line []byte) error {
	head := bytes.Clone(line[:min(len(line), 64)])
	return fmt.Errorf("%w: over %d bytes, starting %q", ErrLineTooLong, lr.max, head)
}
