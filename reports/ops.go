package reports

import (
	"errors"
	"io"

	"faultline/workloads/history"
)

// Outcome codes of a history op, as compact integers for the data section
// (0 ok, 1 fail, 2 info): history.Outcome shifted to start at zero.
const (
	outcomeOK   = 0
	outcomeFail = int(history.Fail - history.OK)
	outcomeInfo = int(history.Info - history.OK)
)

// op is the part of a history op the report keeps.
type op struct {
	kind     string
	invoke   int64
	complete int64
	outcome  int
}

// readHistory streams a history with the history package's reader (the one
// decoder of history.jsonl) and calls fn for every op and ev for every
// event, in file order. A malformed line is an error naming it, and stops
// the reading.
func readHistory(r io.Reader, fn func(op), ev func(history.Event)) error {
	rd := history.NewReader(r)
	for {
		rec, err := rd.Read()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return err
		}
		switch rec.Type {
		case history.OpRecord:
			o := &rec.Op
			fn(op{kind: o.Kind.String(), invoke: o.Invoke, complete: o.Complete, outcome: int(o.Outcome - history.OK)})
		case history.EventRecord:
			ev(rec.Event)
		}
	}
}
