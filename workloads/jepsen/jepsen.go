package jepsen

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"math"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"olympos.io/encoding/edn"

	"faultline/workloads/history"
)

// event is one Jepsen history entry: an invocation or a completion.
type event struct {
	process int
	typ     string // invoke, ok, fail, info
	f       string // read, write, cas
	value   any
	time    int64
	line    int
}

// ErrFormat is wrapped by every error about malformed input.
var ErrFormat = errors.New("jepsen history")

// ReadEDN reads a Jepsen history.edn of a register workload.
func ReadEDN(r io.Reader) ([]history.Op, error) {
	items, err := decodeEDN(r)
	if err != nil {
		return nil, err
	}
	return registerOps(items)
}

// registerOps converts decoded op maps of a register workload.
func registerOps(items []any) ([]history.Op, error) {
	var evs []event
	for _, it := range items {
		ev, skip, err := fromMap(it, len(evs))
		if err != nil {
			return nil, fmt.Errorf("%w: op %d: %w", ErrFormat, len(evs)+1, err)
		}
		if !skip {
			evs = append(evs, ev)
		}
	}
	return pair(evs)
}

// decodeEDN decodes a history.edn: one op map per top-level value, or
// vectors of them, tags stripped. It is the one EDN reader of both the
// register and the transactional histories.
func decodeEDN(r io.Reader) ([]any, error) {
	dec := edn.NewDecoder(r)
	var items []any
	for n := 1; ; n++ {
		var v any
		err := dec.Decode(&v)
		if errors.Is(err, io.EOF) {
			return items, nil
		}
		if err != nil {
			return nil, fmt.Errorf("%w: value %d: %w", ErrFormat, n, err)
		}
		v = untag(v)
		if vec, ok := v.([]any); ok {
			for _, it := range vec {
				items = append(items, untag(it))
			}
			continue
		}
		items = append(items, v)
	}
}

func untag(v any) any {
	for {
		t, ok := v.(edn.Tag)
		if !ok {
			return v
		}
		v = t.Value
	}
}

func fromMap(v any, index int) (event, bool, error) {
	v = untag(v)
	m, ok := v.(map[any]any)
	if !ok {
		return event{}, false, fmt.Errorf("want an op map, got %T", v)
	}
	get := func(k string) any { return m[edn.Keyword(k)] }
	ev := event{time: int64(index), line: index + 1}
	switch p := get("process").(type) {
	case int64:
		ev.process = int(p)
	case edn.Keyword:
		return ev, true, nil // :nemesis
	default:
		return ev, false, fmt.Errorf("process %v is not an integer", p)
	}
	typ, ok := get("type").(edn.Keyword)
	if !ok {
		return ev, false, fmt.Errorf("missing :type")
	}
	f, ok := get("f").(edn.Keyword)
	if !ok {
		return ev, false, fmt.Errorf("missing :f")
	}
	ev.typ, ev.f, ev.value = string(typ), string(f), get("value")
	if t, ok := get("time").(int64); ok {
		if t < 0 {
			return ev, false, fmt.Errorf("negative :time %d", t)
		}
		ev.time = t
	}
	return ev, false, nil
}

// logLine matches the operation lines of jepsen.log: process, type, f and
// value after the jepsen.util logger name, separated by tabs (Jepsen's own
// layout) or by runs of spaces (logs that went through a formatter or a
// copy and paste), or any mix of both. The value is the rest of the line,
// spaces included ("[3 4]").
var logLine = regexp.MustCompile(`jepsen\.util\s*[-:]\s*(\S+)[\t ]+:(\w+)[\t ]+:([\w-]+)(?:[\t ]+(.*))?$`)

// ReadLog reads the operation lines of an older jepsen.log. Lines are
// ordered by their position in the file. A log without operation lines
// gives no ops and no error: what to make of an empty history is the
// checker's call (nothing to check is never valid).
func ReadLog(r io.Reader) ([]history.Op, error) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), 16<<20)
	var evs []event
	for n := 1; sc.Scan(); n++ {
		m := logLine.FindStringSubmatch(sc.Text())
		if m == nil {
			continue
		}
		p, err := strconv.Atoi(m[1])
		if err != nil {
			continue // :nemesis and other non-client processes
		}
		var val any
		if s := strings.TrimSpace(m[4]); s != "" {
			if err := edn.UnmarshalString(s, &val); err != nil {
				return nil, fmt.Errorf("%w: line %d: value %q: %w", ErrFormat, n, s, err)
			}
		}
		evs = append(evs, event{process: p, typ: m[2], f: m[3], value: val, time: int64(len(evs)), line: n})
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrFormat, err)
	}
	return pair(evs)
}

// pair matches invocations with completions per process and converts them.
func pair(evs []event) ([]history.Op, error) {
	pending := map[int]*event{}
	var ops []history.Op
	var last int64
	for i := range evs {
		ev := &evs[i]
		last = max(last, ev.time)
		switch ev.typ {
		case "invoke":
			if prev := pending[ev.process]; prev != nil {
				return nil, fmt.Errorf("%w: line %d: process %d invokes again before its op at line %d completed",
					ErrFormat, ev.line, ev.process, prev.line)
			}
			pending[ev.process] = ev
		case "ok", "fail", "info":
			inv := pending[ev.process]
			if inv == nil {
				return nil, fmt.Errorf("%w: line %d: process %d completes without an invocation", ErrFormat, ev.line, ev.process)
			}
			delete(pending, ev.process)
			op, err := convert(inv, ev)
			if err != nil {
				return nil, fmt.Errorf("%w: line %d: %w", ErrFormat, ev.line, err)
			}
			ops = append(ops, op)
		default:
			return nil, fmt.Errorf("%w: line %d: unknown type :%s", ErrFormat, ev.line, ev.typ)
		}
	}
	// Never completed: unknown outcome, as Jepsen treats them.
	var rest []*event
	for _, inv := range pending {
		rest = append(rest, inv)
	}
	sort.Slice(rest, func(i, j int) bool { return rest[i].line < rest[j].line })
	for _, inv := range rest {
		op, err := convert(inv, &event{typ: "info", time: last, process: inv.process})
		if err != nil {
			return nil, fmt.Errorf("%w: line %d: %w", ErrFormat, inv.line, err)
		}
		ops = append(ops, op)
	}
	return ops, nil
}

// convert builds the history op of one invocation and its completion and
// validates it.
func convert(inv, done *event) (history.Op, error) {
	op, err := build(inv, done)
	if err != nil {
		return op, err
	}
	if err := op.Validate(); err != nil {
		return op, err
	}
	return op, nil
}

func build(inv, done *event) (history.Op, error) {
	op := history.Op{Client: inv.process, Invoke: inv.time, Complete: max(done.time, inv.time), Outcome: outcomeOf(done.typ)}
	// jepsen.independent wraps values as [key value].
	val := inv.value
	if done.typ == "ok" && inv.f == "read" {
		val = done.value
	}
	key, v, independent := splitIndependent(inv.f, inv.value)
	if independent {
		op.Key = key
		if done.typ == "ok" && inv.f == "read" {
			_, v, _ = splitIndependent(inv.f, done.value)
		}
		val = v
	}
	switch inv.f {
	case "read":
		op.Kind = history.Read
		if op.Outcome == history.OK {
			op.Output = text(val)
		}
	case "write":
		op.Kind = history.Write
		op.Value = text(val)
	case "cas":
		op.Kind = history.CAS
		pair, ok := val.([]any)
		if !ok || len(pair) != 2 {
			return op, fmt.Errorf("cas value %v is not [expected new]", val)
		}
		op.Expect, op.Value = text(pair[0]), text(pair[1])
	default:
		return op, fmt.Errorf("unsupported op :%s (register histories have read, write and cas)", inv.f)
	}
	return op, nil
}

// splitIndependent recognises jepsen.independent's [key value] tuples: a
// two-element vector for read and write, and for cas one whose second
// element is itself the [expected new] pair.
func splitIndependent(f string, v any) (string, any, bool) {
	vec, ok := v.([]any)
	if !ok || len(vec) != 2 {
		return "", v, false
	}
	if f == "cas" {
		if inner, ok := vec[1].([]any); ok && len(inner) == 2 {
			return text(vec[0]), vec[1], true
		}
		return "", v, false
	}
	return text(vec[0]), vec[1], true
}

// text renders an EDN value as the string compared by the register model:
// nil (the initial state) is "".
func text(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case int64:
		return strconv.FormatInt(x, 10)
	case float64:
		if x == math.Trunc(x) && math.Abs(x) < 1e15 {
			return strconv.FormatInt(int64(x), 10)
		}
		return strconv.FormatFloat(x, 'g', -1, 64)
	case string:
		return x
	case edn.Keyword:
		return ":" + string(x)
	default:
		b, err := edn.Marshal(x)
		if err != nil {
			return fmt.Sprint(x)
		}
		return string(b)
	}
}

// outcomeOf maps a completion's :type to an outcome: :ok, :fail, and
// anything else (:info) unknown.
func outcomeOf(typ string) history.Outcome {
	switch typ {
	case "ok":
		return history.OK
	case "fail":
		return history.Fail
	}
	return history.Info
}
