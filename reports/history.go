package reports

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
)

// Outcome codes of a history op, as compact integers for the data section.
const (
	outcomeOK   = 0
	outcomeFail = 1
	outcomeInfo = 2
)

var outcomeCodes = map[string]int{"ok": outcomeOK, "fail": outcomeFail, "info": outcomeInfo}

// historyLine mirrors one line of history.jsonl (faultline/workloads/history):
// an op ("type":"op") or an event ("type":"event"). Fields the report does
// not use (value, output, expect) are not decoded.
type historyLine struct {
	Type     string   `json:"type"`
	Kind     string   `json:"kind"`
	Invoke   int64    `json:"invoke"`
	Complete int64    `json:"complete"`
	Outcome  string   `json:"outcome"`
	Start    int64    `json:"start"`
	Stop     int64    `json:"stop"`
	Nodes    []string `json:"nodes"`
	Desc     string   `json:"desc"`
}

// op is the part of a history op the report keeps.
type op struct {
	kind     string
	invoke   int64
	complete int64
	outcome  int
}

// errHistory is wrapped by every malformed-history error.
var errHistory = errors.New("malformed history")

// readHistory streams a history and calls fn for every op and ev for every
// event. Blank lines are skipped; a malformed line is an error naming it.
func readHistory(r io.Reader, fn func(op), ev func(Event)) error {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), 16<<20)
	var line historyLine
	for n := 1; sc.Scan(); n++ {
		b := sc.Bytes()
		if len(b) == 0 {
			continue
		}
		line = historyLine{}
		if err := json.Unmarshal(b, &line); err != nil {
			return fmt.Errorf("%w: line %d: %w", errHistory, n, err)
		}
		switch line.Type {
		case "op":
			o, ok := outcomeCodes[line.Outcome]
			if !ok {
				return fmt.Errorf("%w: line %d: outcome %q", errHistory, n, line.Outcome)
			}
			if line.Complete < line.Invoke || line.Invoke < 0 {
				return fmt.Errorf("%w: line %d: times [%d,%d]", errHistory, n, line.Invoke, line.Complete)
			}
			fn(op{kind: line.Kind, invoke: line.Invoke, complete: line.Complete, outcome: o})
		case "event":
			ev(Event{Kind: line.Kind, Start: line.Start, Stop: line.Stop, Nodes: line.Nodes, Desc: line.Desc})
		default:
			return fmt.Errorf("%w: line %d: type %q", errHistory, n, line.Type)
		}
	}
	if err := sc.Err(); err != nil {
		return fmt.Errorf("%w: %w", errHistory, err)
	}
	return nil
}
