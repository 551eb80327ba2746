package history

import (
	"errors"
	"fmt"
	"io"
	"os"
)

// ReadAll reads a whole history stream into its operations and events, each
// in stream order.
func ReadAll(r io.Reader) ([]Op, []Event, error) {
	var ops []Op
	var events []Event
	rd := NewReader(r)
	for {
		rec, err := rd.Read()
		if errors.Is(err, io.EOF) {
			return ops, events, nil
		}
		if err != nil {
			return ops, events, err
		}
		switch rec.Type {
		case OpRecord:
			ops = append(ops, rec.Op)
		case EventRecord:
			events = append(events, rec.Event)
		}
	}
}

// ReadFile reads the history file at path.
func ReadFile(path string) ([]Op, []Event, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, nil, fmt.Errorf("history: %w", err)
	}
	defer f.Close()
	ops, events, err := ReadAll(f)
	if err != nil {
		return ops, events, fmt.Errorf("%s: %w", path, err)
	}
	return ops, events, nil
}

// WriteFile writes ops, then events, to a new history file at path.
func WriteFile(path string, ops []Op, events []Event) (err error) {
	f, err := os.Create(path)
	if err != nil {
		return fmt.Errorf("history: %w", err)
	}
	defer func() {
		if cerr := f.Close(); err == nil && cerr != nil {
			err = fmt.Errorf("history: %w", cerr)
		}
	}()
	w := NewWriter(f)
	for i := range ops {
		if err := w.WriteOp(ops[i]); err != nil {
			return fmt.Errorf("op %d: %w", i, err)
		}
	}
	for i := range events {
		if err := w.WriteEvent(events[i]); err != nil {
			return fmt.Errorf("event %d: %w", i, err)
		}
	}
	return w.Flush()
}
