package history

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"sync"
)

// Writer streams records to an io.Writer as JSON lines. It is safe for
// concurrent use; records are buffered, so call Flush before the underlying
// writer is closed. The first error is sticky: every later call returns it.
type Writer struct {
	mu  sync.Mutex
	bw  *bufio.Writer
	enc *json.Encoder
	n   int
	err error
}

// NewWriter returns a Writer that writes to w through a 64 KiB buffer.
func NewWriter(w io.Writer) *Writer {
	bw := bufio.NewWriterSize(w, 64<<10)
	enc := json.NewEncoder(bw)
	enc.SetEscapeHTML(false)
	return &Writer{bw: bw, enc: enc}
}

// WriteOp validates op and appends it to the stream.
func (w *Writer) WriteOp(op Op) error {
	if err := op.Validate(); err != nil {
		return fmt.Errorf("history: write op: %w", err)
	}
	// Encode before taking the lock: with many clients, the lock is held
	// only for the copy into the buffered file.
	bp := linePool.Get().(*[]byte)
	defer linePool.Put(bp)
	*bp = appendOpLine((*bp)[:0], &op)
	return w.writeLines(*bp, 1)
}

// writeLines appends n encoded records, lines, to the stream.
func (w *Writer) writeLines(lines []byte, n int) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.err != nil {
		return w.err
	}
	if _, err := w.bw.Write(lines); err != nil {
		w.err = fmt.Errorf("history: write: %w", err)
		return w.err
	}
	w.n += n
	return nil
}

// linePool holds WriteOp's scratch buffers, one per concurrent writer.
var linePool = sync.Pool{New: func() any { b := make([]byte, 0, 256); return &b }}

// WriteEvent validates e and appends it to the stream.
func (w *Writer) WriteEvent(e Event) error {
	if err := e.Validate(); err != nil {
		return fmt.Errorf("history: write event: %w", err)
	}
	return w.encode(wireEvent{Type: "event", Event: e})
}

func (w *Writer) encode(v any) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.err != nil {
		return w.err
	}
	if err := w.enc.Encode(v); err != nil {
		w.err = fmt.Errorf("history: write: %w", err)
		return w.err
	}
	w.n++
	return nil
}

// Flush writes any buffered records to the underlying writer.
func (w *Writer) Flush() error {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.err != nil {
		return w.err
	}
	if err := w.bw.Flush(); err != nil {
		w.err = fmt.Errorf("history: flush: %w", err)
	}
	return w.err
}

// Count returns the number of records accepted so far.
func (w *Writer) Count() int {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.n
}
