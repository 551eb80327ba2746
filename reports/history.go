package reports

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"runtime"
	"sync"
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

// historyBatch is a run of consecutive lines, decoded by one worker.
type historyBatch struct {
	lines [][]byte // the non-blank lines, slices of buf
	nums  []int    // their line numbers
	buf   []byte   // the batch's bytes, copied out of the scanner
	ops   []op
	evs   []Event
	err   error // a decoding error, or the reader's error (then lines is empty)
	done  chan struct{}
}

// batchLines is the number of lines a decoding worker takes at a time.
const batchLines = 4096

// readHistory streams a history and calls fn for every op and ev for every
// event, in file order, from the calling goroutine. Lines are decoded in
// parallel batches (JSON decoding dominates the cost of a large report).
// Blank lines are skipped; a malformed line is an error naming it, and
// stops the reading.
func readHistory(r io.Reader, fn func(op), ev func(Event)) error {
	workers := max(1, min(runtime.GOMAXPROCS(0), 8))
	work := make(chan *historyBatch, workers)
	ordered := make(chan *historyBatch, 2*workers)
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for b := range work {
				b.decode()
				close(b.done)
			}
		}()
	}
	go func() {
		defer close(ordered)
		defer close(work)
		sc := bufio.NewScanner(r)
		sc.Buffer(make([]byte, 64<<10), 16<<20)
		n := 0
		for more := true; more; {
			b := &historyBatch{done: make(chan struct{}), buf: make([]byte, 0, 256<<10),
				lines: make([][]byte, 0, batchLines), nums: make([]int, 0, batchLines)}
			for len(b.lines) < batchLines {
				if !sc.Scan() {
					more = false
					if err := sc.Err(); err != nil {
						b.err = fmt.Errorf("%w: %w", errHistory, err)
					}
					break
				}
				n++
				if line := sc.Bytes(); len(line) > 0 {
					b.buf = append(append(b.buf, line...), '\n')
					b.nums = append(b.nums, n)
					b.lines = append(b.lines, line[:len(line):len(line)])
				}
			}
			// lines still point into the scanner's buffer, which the next
			// Scan overwrites; point them into buf, now final.
			off := 0
			for i, l := range b.lines {
				b.lines[i] = b.buf[off : off+len(l)]
				off += len(l) + 1
			}
			select {
			case work <- b:
			case <-stop:
				return
			}
			select {
			case ordered <- b:
			case <-stop:
				return
			}
		}
	}()
	defer wg.Wait()
	defer close(stop)
	for b := range ordered {
		<-b.done
		for _, o := range b.ops {
			fn(o)
		}
		for _, e := range b.evs {
			ev(e)
		}
		if b.err != nil {
			return b.err
		}
	}
	return nil
}

// decode decodes the batch's lines, stopping at the first malformed one
// (the records before it are kept, so that errors come in file order).
// One json.Decoder reads the whole batch, which saves the per-call state of
// json.Unmarshal; when it finds anything wrong, the batch is decoded again
// line by line to name the line.
func (b *historyBatch) decode() {
	readErr := b.err
	b.ops = make([]op, 0, len(b.lines))
	dec := json.NewDecoder(bytes.NewReader(b.buf))
	end := int64(0)
	for _, raw := range b.lines {
		end += int64(len(raw))
		var line historyLine
		// Each value must end exactly where its line does (not two values
		// on a line, nor one spread over two).
		if err := dec.Decode(&line); err != nil || dec.InputOffset() != end {
			b.decodeLines()
			return
		}
		end++ // the newline
		if !b.add(&line) {
			b.decodeLines()
			return
		}
	}
	b.err = readErr
}

// decodeLines is decode, one line at a time.
func (b *historyBatch) decodeLines() {
	readErr := b.err
	b.ops, b.evs = b.ops[:0], b.evs[:0]
	for i, raw := range b.lines {
		n := b.nums[i]
		var line historyLine
		if err := json.Unmarshal(raw, &line); err != nil {
			b.err = fmt.Errorf("%w: line %d: %w", errHistory, n, err)
			return
		}
		if !b.add(&line) {
			b.err = fmt.Errorf("%w: line %d: %s", errHistory, n, line.problem())
			return
		}
	}
	b.err = readErr
}

// add appends a decoded line to the batch's ops or events; it returns
// false when the line is not a valid op or event (problem says why).
func (b *historyBatch) add(l *historyLine) bool {
	switch l.Type {
	case "op":
		o, known := outcomeCodes[l.Outcome]
		if !known || l.Complete < l.Invoke || l.Invoke < 0 {
			return false
		}
		b.ops = append(b.ops, op{kind: l.Kind, invoke: l.Invoke, complete: l.Complete, outcome: o})
		return true
	case "event":
		b.evs = append(b.evs, Event{Kind: l.Kind, Start: l.Start, Stop: l.Stop, Nodes: l.Nodes, Desc: l.Desc})
		return true
	}
	return false
}

// problem explains why add refused the line.
func (l *historyLine) problem() string {
	switch {
	case l.Type != "op":
		return fmt.Sprintf("type %q", l.Type)
	case outcomeCodes[l.Outcome] == 0 && l.Outcome != "ok":
		return fmt.Sprintf("outcome %q", l.Outcome)
	}
	return fmt.Sprintf("times [%d,%d]", l.Invoke, l.Complete)
}
