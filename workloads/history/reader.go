package history

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
)

// DefaultMaxLine is the default bound on the length of one history line.
// Reads of long append values make long lines; raise it with SetMaxLine.
const DefaultMaxLine = 256 << 20

var (
	// ErrMalformed is wrapped by every error about a line's content.
	ErrMalformed = errors.New("malformed record")
	// ErrLineTooLong is wrapped when a line exceeds the reader's bound.
	ErrLineTooLong = errors.New("line too long")
)

// LineError reports a bad line of a history stream, with its 1-based number.
type LineError struct {
	Line int
	Err  error
}

// Error implements error.
func (e *LineError) Error() string { return fmt.Sprintf("history: line %d: %v", e.Line, e.Err) }

// Unwrap returns the cause.
func (e *LineError) Unwrap() error { return e.Err }

// Reader streams records from JSON lines, one record per Read. Blank lines
// are skipped. Errors are sticky.
type Reader struct {
	br   *bufio.Reader
	line int
	max  int
	buf  []byte
	err  error
	in   interner
}

// NewReader returns a Reader reading from r.
func NewReader(r io.Reader) *Reader {
	return &Reader{br: bufio.NewReaderSize(r, 64<<10), max: DefaultMaxLine}
}

// SetMaxLine bounds the length of one line in bytes (n > 0).
func (r *Reader) SetMaxLine(n int) {
	if n > 0 {
		r.max = n
	}
}

// Line returns the number of the line last read.
func (r *Reader) Line() int { return r.line }

// Read returns the next record. At the end of the stream it returns io.EOF;
// a bad line gives a *LineError.
func (r *Reader) Read() (Record, error) {
	if r.err != nil {
		return Record{}, r.err
	}
	for {
		b, err := r.readLine()
		if err != nil {
			if !errors.Is(err, io.EOF) {
				err = &LineError{Line: r.line, Err: err}
			}
			r.err = err
			return Record{}, err
		}
		if len(bytes.TrimSpace(b)) == 0 {
			continue
		}
		rec, err := decodeRecord(b, &r.in)
		if err != nil {
			r.err = &LineError{Line: r.line, Err: err}
			return Record{}, r.err
		}
		return rec, nil
	}
}

// readLine returns the next line without its newline; the slice is valid
// until the next call. It returns io.EOF only when no bytes remain.
func (r *Reader) readLine() ([]byte, error) {
	r.line++
	r.buf = r.buf[:0]
	for {
		chunk, err := r.br.ReadSlice('\n')
		if len(r.buf)+len(chunk) > r.max+1 {
			return nil, fmt.Errorf("%w: more than %d bytes", ErrLineTooLong, r.max)
		}
		switch {
		case err == nil:
			if len(r.buf) == 0 {
				return chunk[:len(chunk)-1], nil
			}
			r.buf = append(r.buf, chunk[:len(chunk)-1]...)
			return r.buf, nil
		case errors.Is(err, bufio.ErrBufferFull):
			r.buf = append(r.buf, chunk...)
		case errors.Is(err, io.EOF):
			r.buf = append(r.buf, chunk...)
			if len(r.buf) == 0 {
				return nil, io.EOF
			}
			if len(r.buf) > r.max {
				return nil, fmt.Errorf("%w: more than %d bytes", ErrLineTooLong, r.max)
			}
			return r.buf, nil
		default:
			return nil, fmt.Errorf("read: %w", err)
		}
	}
}

var (
	opPrefix    = []byte(`{"type":"op",`)
	eventPrefix = []byte(`{"type":"event",`)
)

// decodeRecord decodes and validates one line: an op line of the shape
// Writer writes by decodeOpFast, any other line (and a fast-decoded op
// that is not valid, for the precise error) strictly.
func decodeRecord(b []byte, in *interner) (Record, error) {
	if op, ok := decodeOpFast(b, in); ok && op.Validate() == nil {
		return Record{Type: OpRecord, Op: op}, nil
	}
	var typ string
	switch {
	case bytes.HasPrefix(b, opPrefix):
		typ = "op"
	case bytes.HasPrefix(b, eventPrefix):
		typ = "event"
	default:
		var head struct {
			Type *string `json:"type"`
		}
		if err := json.Unmarshal(b, &head); err != nil {
			return Record{}, fmt.Errorf("%w: %w", ErrMalformed, err)
		}
		if head.Type == nil {
			return Record{}, fmt.Errorf("%w: no \"type\" field", ErrMalformed)
		}
		typ = *head.Type
	}
	switch typ {
	case "op":
		var w wireOp
		if err := decodeWire(b, typ, &w); err != nil {
			return Record{}, err
		}
		return Record{Type: OpRecord, Op: w.Op}, nil
	case "event":
		var w wireEvent
		if err := decodeWire(b, typ, &w); err != nil {
			return Record{}, err
		}
		return Record{Type: EventRecord, Event: w.Event}, nil
	}
	return Record{}, fmt.Errorf("%w: unknown record type %q", ErrMalformed, typ)
}

// wire is a line layout (wireOp, wireEvent) as decodeWire checks it.
type wire interface {
	typeField() string
	validate() error
}

func (w *wireOp) typeField() string    { return w.Type }
func (w *wireOp) validate() error      { return w.Op.Validate() }
func (w *wireEvent) typeField() string { return w.Type }
func (w *wireEvent) validate() error   { return w.Event.Validate() }

// decodeWire decodes a line of record type typ into w strictly and checks
// that its "type" field agrees and that the record is valid.
func decodeWire(b []byte, typ string, w wire) error {
	if err := strictUnmarshal(b, w); err != nil {
		return err
	}
	if w.typeField() != typ {
		return fmt.Errorf("%w: conflicting \"type\" fields", ErrMalformed)
	}
	if err := w.validate(); err != nil {
		return fmt.Errorf("%w: %w", ErrMalformed, err)
	}
	return nil
}

// strictUnmarshal decodes one JSON object, rejecting unknown fields and
// trailing data.
func strictUnmarshal(b []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return fmt.Errorf("%w: %w", ErrMalformed, err)
	}
	if rest := bytes.TrimSpace(b[dec.InputOffset():]); len(rest) > 0 {
		return fmt.Errorf("%w: trailing data after the record", ErrMalformed)
	}
	return nil
}
