package results

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"path/filepath"
)

// Default bounds of a JournalReader: an entry is a few hundred bytes, and
// the network journals at most a few hundred thousand.
const (
	DefaultJournalMaxLine    = 64 << 10
	DefaultJournalMaxEntries = 1 << 20
)

// JournalReader streams the entries of a message journal. It bounds what
// hostile input can cost: a line longer than its line bound, or an entry
// past its entry bound, is an error; so is a line that is not a valid
// entry. Blank lines are skipped; unknown fields are ignored (a newer
// harness may add some). Errors are sticky and name the line.
type JournalReader struct {
	sc         *bufio.Scanner
	maxLine    int
	maxEntries int
	line       int
	entries    int
	err        error
}

// NewJournalReader returns a reader of r that accepts lines of at most
// maxLine bytes and at most maxEntries entries (the defaults when <= 0).
func NewJournalReader(r io.Reader, maxLine, maxEntries int) *JournalReader {
	if maxLine <= 0 {
		maxLine = DefaultJournalMaxLine
	}
	if maxEntries <= 0 {
		maxEntries = DefaultJournalMaxEntries
	}
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, min(maxLine+1, 64<<10)), maxLine+1)
	return &JournalReader{sc: sc, maxLine: maxLine, maxEntries: maxEntries}
}

// Line returns the number of the line last read.
func (r *JournalReader) Line() int { return r.line }

// Read returns the next entry, io.EOF at the end of the journal, or an
// error wrapping ErrJournal (and ErrJournalTooLong past the entry bound).
func (r *JournalReader) Read() (JournalEntry, error) {
	if r.err != nil {
		return JournalEntry{}, r.err
	}
	for {
		if !r.sc.Scan() {
			err := r.sc.Err()
			switch {
			case err == nil:
				r.err = io.EOF
				return JournalEntry{}, r.err
			case errors.Is(err, bufio.ErrTooLong):
				err = fmt.Errorf("%w: line longer than %d bytes", ErrJournal, r.maxLine)
			}
			return JournalEntry{}, r.fail(r.line+1, err)
		}
		r.line++
		b := r.sc.Bytes()
		if len(bytes.TrimSpace(b)) == 0 {
			continue
		}
		if len(b) > r.maxLine {
			return JournalEntry{}, r.fail(r.line, fmt.Errorf("%w: line longer than %d bytes", ErrJournal, r.maxLine))
		}
		if r.entries >= r.maxEntries {
			return JournalEntry{}, r.fail(r.line, fmt.Errorf("%w: %w: more than %d", ErrJournal, ErrJournalTooLong, r.maxEntries))
		}
		e, err := decodeJournalEntry(b)
		if err != nil {
			return JournalEntry{}, r.fail(r.line, err)
		}
		r.entries++
		return e, nil
	}
}

func (r *JournalReader) fail(line int, err error) error {
	r.err = fmt.Errorf("results: %s line %d: %w", JournalFile, line, err)
	return r.err
}

// wireEntry is a journal line as decoded: the times are required.
type wireEntry struct {
	JournalEntry
	SentNS      *int64 `json:"sent_ns"`
	DeliveredNS *int64 `json:"delivered_ns"`
}

func decodeJournalEntry(b []byte) (JournalEntry, error) {
	var w wireEntry
	if err := json.Unmarshal(b, &w); err != nil {
		return JournalEntry{}, fmt.Errorf("%w: %w", ErrJournal, err)
	}
	if w.SentNS == nil || w.DeliveredNS == nil {
		return JournalEntry{}, fmt.Errorf("%w: entry without sent_ns or delivered_ns", ErrJournal)
	}
	e := w.JournalEntry
	e.SentNS, e.DeliveredNS = *w.SentNS, *w.DeliveredNS
	if err := e.Validate(); err != nil {
		return JournalEntry{}, err
	}
	return e, nil
}

// JournalWriter writes a message journal, one entry per line. Errors are
// sticky; Flush writes what is buffered.
type JournalWriter struct {
	bw  *bufio.Writer
	err error
}

// NewJournalWriter returns a writer to w.
func NewJournalWriter(w io.Writer) *JournalWriter {
	return &JournalWriter{bw: bufio.NewWriterSize(w, 64<<10)}
}

// Write validates e and writes it as one line.
func (w *JournalWriter) Write(e *JournalEntry) error {
	if w.err != nil {
		return w.err
	}
	if err := e.Validate(); err != nil {
		return fmt.Errorf("results: write journal: %w", err)
	}
	b, err := json.Marshal(e)
	if err != nil {
		w.err = fmt.Errorf("results: write journal: %w", err)
		return w.err
	}
	if _, err := w.bw.Write(append(b, '\n')); err != nil {
		w.err = fmt.Errorf("results: write journal: %w", err)
	}
	return w.err
}

// Flush writes any buffered entries to the underlying writer.
func (w *JournalWriter) Flush() error {
	if w.err != nil {
		return w.err
	}
	if err := w.bw.Flush(); err != nil {
		w.err = fmt.Errorf("results: write journal: %w", err)
	}
	return w.err
}

// WriteJournal writes entries to dir/JournalFile, atomically. An invalid
// entry is an error, and nothing is written.
func WriteJournal(dir string, entries []JournalEntry) error {
	var buf bytes.Buffer
	w := NewJournalWriter(&buf)
	for i := range entries {
		if err := w.Write(&entries[i]); err != nil {
			return fmt.Errorf("%w (entry %d)", err, i)
		}
	}
	if err := w.Flush(); err != nil {
		return err
	}
	return WriteFile(filepath.Join(dir, JournalFile), buf.Bytes())
}
