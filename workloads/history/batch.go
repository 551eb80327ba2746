package history

import "fmt"

// batchFlush is the size at which a Batch hands its lines to its Writer.
const batchFlush = 4 << 10

// Batch is one client's buffer in front of a shared Writer: WriteOp
// encodes the op into the batch without any lock, and the batch hands
// its lines to the Writer in one locked copy once it holds about 4 KiB,
// or when flushed. With many clients, this spares each op the Writer's
// lock, which the clients otherwise queue for (pprof block profile of
// the harness benchmark). Every client's own ops keep their order; the
// ops of different clients interleave batch by batch, which the format
// allows (records come in any order). A Batch is not safe for concurrent
// use; call Flush before the Writer is flushed.
type Batch struct {
	w   *Writer
	buf []byte
	n   int // records in buf
}

// NewBatch returns an empty batch in front of w.
func (w *Writer) NewBatch() *Batch { return &Batch{w: w, buf: make([]byte, 0, batchFlush+1024)} }

// WriteOp validates op and appends it to the batch, handing the batch to
// the Writer when it is full. The error is the Writer's sticky error, if
// any, or the op's validation error.
func (b *Batch) WriteOp(op *Op) error {
	if err := op.Validate(); err != nil {
		return fmt.Errorf("history: write op: %w", err)
	}
	b.buf = appendOpLine(b.buf, op)
	b.n++
	if len(b.buf) >= batchFlush {
		return b.Flush()
	}
	return nil
}

// Flush hands the batch's lines to the Writer (which buffers them in turn).
func (b *Batch) Flush() error {
	if b.n == 0 {
		return nil
	}
	err := b.w.writeLines(b.buf, b.n)
	b.buf, b.n = b.buf[:0], 0
	return err
}
