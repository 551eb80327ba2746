package jepsen

import (
	"fmt"
	"io"
	"math"
	"sort"

	"olympos.io/encoding/edn"

	"faultline/workloads/history"
)

// Bounds on a transactional history, so that hostile input is refused with
// a precise error rather than held.
const (
	// MaxTxnMops bounds the micro-ops of one transaction.
	MaxTxnMops = 1 << 12
	// MaxReadLen bounds the elements of one list read.
	MaxReadLen = 1 << 20
	// MaxTxns bounds the transactions of one history.
	MaxTxns = 1 << 24
)

// ReadEDNHistory reads a history.edn of either kind: a transactional
// history (ops with :f :txn, or without :f but with a vector of micro-ops
// as :value) comes back as txns, any other as register ops.
func ReadEDNHistory(r io.Reader) ([]history.Op, *history.Txns, error) {
	items, err := decodeEDN(r)
	if err != nil {
		return nil, nil, err
	}
	if isTxnHistory(items) {
		txns, err := txnHistory(items)
		return nil, txns, err
	}
	ops, err := registerOps(items)
	return ops, nil, err
}

// ReadTxnEDN reads a Jepsen transactional history.edn (list-append or
// rw-register), Elle's input: each op's :value is a vector of micro-ops
// [:r k v], [:append k v] or [:w k v], keys any EDN scalar and values
// integers. Invocations and completions are paired by process; an op map
// without :process belongs to one anonymous process (a hand-written
// history of sequential transactions); a completion without an
// invocation (Elle's test histories hold only completions) gets an
// unknown invocation time, so that real time orders nothing before it.
// Time is the position in the file, as Elle orders histories.
func ReadTxnEDN(r io.Reader) (*history.Txns, error) {
	items, err := decodeEDN(r)
	if err != nil {
		return nil, err
	}
	return txnHistory(items)
}

func isTxnHistory(items []any) bool {
	for _, it := range items {
		m, ok := it.(map[any]any)
		if !ok {
			continue
		}
		if _, ok := m[edn.Keyword("process")].(edn.Keyword); ok {
			continue // the nemesis
		}
		switch f := m[edn.Keyword("f")].(type) {
		case edn.Keyword:
			return f == "txn"
		case nil:
			return isMops(m[edn.Keyword("value")])
		}
		return false
	}
	return false
}

func isMops(v any) bool {
	vec, ok := v.([]any)
	if !ok {
		return false
	}
	for _, m := range vec {
		mop, ok := m.([]any)
		if !ok || len(mop) != 3 {
			return false
		}
		if _, ok := mop[0].(edn.Keyword); !ok {
			return false
		}
	}
	return true
}

// txnEvent is one invocation or completion of a transaction.
type txnEvent struct {
	process int
	typ     string
	value   any
	index   int64 // :index, or the position
	pos     int64 // position among client events
}

// txnReader builds a Txns, interning keys.
type txnReader struct {
	h    history.Txns
	keys map[string]int32
}

func txnHistory(items []any) (*history.Txns, error) {
	tr := &txnReader{keys: map[string]int32{}}
	var evs []txnEvent
	for n, it := range items {
		ev, skip, err := txnEventOf(it, n, int64(len(evs)))
		if err != nil {
			return nil, fmt.Errorf("%w: op %d: %w", ErrFormat, n+1, err)
		}
		if !skip {
			evs = append(evs, ev)
		}
	}
	if len(evs) > 2*MaxTxns {
		return nil, fmt.Errorf("%w: %d ops, more than %d", ErrFormat, len(evs), 2*MaxTxns)
	}
	// Pending invocations per process. A process should have one at a
	// time, but some hand-written histories (one of Elle's tests) overlap
	// two: a completion then takes the pending invocation of the same
	// shape (micro-op kinds and keys), else the oldest.
	pending := map[int][]*txnEvent{}
	for i := range evs {
		ev := &evs[i]
		switch ev.typ {
		case "invoke":
			pending[ev.process] = append(pending[ev.process], ev)
		case "ok", "fail", "info":
			q := pending[ev.process]
			var inv *txnEvent
			if len(q) > 0 {
				at := 0
				for j, p := range q {
					if sameShape(p.value, ev.value) {
						at = j
						break
					}
				}
				inv = q[at]
				pending[ev.process] = append(q[:at:at], q[at+1:]...)
			}
			if err := tr.add(inv, ev); err != nil {
				return nil, fmt.Errorf("%w: op :index %d: %w", ErrFormat, ev.index, err)
			}
		default:
			return nil, fmt.Errorf("%w: op :index %d: unknown :type :%s", ErrFormat, ev.index, ev.typ)
		}
	}
	var rest []*txnEvent
	for _, q := range pending {
		rest = append(rest, q...)
	}
	sort.Slice(rest, func(i, j int) bool { return rest[i].pos < rest[j].pos })
	for _, inv := range rest {
		done := &txnEvent{process: inv.process, typ: "info", value: inv.value, index: inv.index, pos: math.MaxInt64}
		if err := tr.add(inv, done); err != nil {
			return nil, fmt.Errorf("%w: op :index %d: %w", ErrFormat, inv.index, err)
		}
	}
	tr.markLists()
	if err := tr.h.Validate(); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrFormat, err)
	}
	return &tr.h, nil
}

// sameShape reports whether two transaction values have the same micro-op
// kinds on the same keys.
func sameShape(a, b any) bool {
	va, _ := a.([]any)
	vb, _ := b.([]any)
	if len(va) != len(vb) {
		return false
	}
	for i := range va {
		ma, _ := untag(va[i]).([]any)
		mb, _ := untag(vb[i]).([]any)
		if len(ma) != 3 || len(mb) != 3 || ma[0] != mb[0] || text(ma[1]) != text(mb[1]) {
			return false
		}
	}
	return true
}

func txnEventOf(v any, n int, pos int64) (txnEvent, bool, error) {
	m, ok := v.(map[any]any)
	if !ok {
		return txnEvent{}, false, fmt.Errorf("want an op map, got %T", v)
	}
	get := func(k string) any { return m[edn.Keyword(k)] }
	ev := txnEvent{process: -1, index: int64(n), pos: pos, value: get("value")}
	switch p := get("process").(type) {
	case int64:
		if p < 0 || p > math.MaxInt32 {
			return ev, false, fmt.Errorf(":process %d out of range", p)
		}
		ev.process = int(p)
	case edn.Keyword:
		return ev, true, nil // :nemesis
	case nil:
	default:
		return ev, false, fmt.Errorf(":process %v is not an integer", p)
	}
	switch f := get("f").(type) {
	case edn.Keyword:
		if f != "txn" {
			return ev, false, fmt.Errorf(":f :%s in a transactional history, want :txn", f)
		}
	case nil:
	default:
		return ev, false, fmt.Errorf(":f %v is not a keyword", f)
	}
	typ, ok := get("type").(edn.Keyword)
	if !ok {
		return ev, false, fmt.Errorf("missing :type")
	}
	ev.typ = string(typ)
	if i, ok := get("index").(int64); ok {
		ev.index = i
	}
	return ev, false, nil
}

// add appends the transaction of an invocation (nil when the history holds
// only its completion) and its completion.
func (tr *txnReader) add(inv, done *txnEvent) error {
	if len(tr.h.Txns) >= MaxTxns {
		return fmt.Errorf("more than %d transactions", MaxTxns)
	}
	t := history.Txn{Process: done.process, Index: done.index, Invoke: -1, Complete: done.pos, Outcome: outcomeOf(done.typ)}
	if inv != nil {
		t.Invoke = inv.pos
	}
	val := done.value
	if t.Outcome != history.OK && inv != nil {
		val = inv.value // what was asked; an info or fail completion may carry less
	}
	mops, err := tr.mops(val, t.Outcome == history.OK)
	if err != nil {
		return err
	}
	t.Mops = mops
	tr.h.Txns = append(tr.h.Txns, t)
	return nil
}

func (tr *txnReader) mops(v any, ok bool) ([]history.Mop, error) {
	vec, isVec := v.([]any)
	if !isVec && v != nil {
		return nil, fmt.Errorf(":value %s is not a vector of micro-ops", text(v))
	}
	if len(vec) > MaxTxnMops {
		return nil, fmt.Errorf("%d micro-ops, more than %d", len(vec), MaxTxnMops)
	}
	out := make([]history.Mop, 0, len(vec))
	for i, x := range vec {
		m, err := tr.mop(x, ok)
		if err != nil {
			return nil, fmt.Errorf("micro-op %d: %w", i+1, err)
		}
		out = append(out, m)
	}
	return out, nil
}

func (tr *txnReader) mop(x any, ok bool) (history.Mop, error) {
	v, isVec := untag(x).([]any)
	if !isVec || len(v) != 3 {
		return history.Mop{}, fmt.Errorf("%s is not [f k v]", text(x))
	}
	f, _ := v[0].(edn.Keyword)
	m := history.Mop{Key: tr.key(text(v[1]))}
	switch f {
	case "r":
		m.Kind = history.MopRead
		return m, readValue(&m, untag(v[2]), ok)
	case "append":
		m.Kind = history.MopAppend
	case "w":
		m.Kind = history.MopWrite
	default:
		return m, fmt.Errorf("unknown micro-op %s, want :r, :append or :w", text(v[0]))
	}
	n, err := integer(untag(v[2]))
	if err != nil {
		return m, fmt.Errorf("[%s %s %s]: %w", text(v[0]), text(v[1]), text(v[2]), err)
	}
	m.Value = n
	return m, nil
}

// readValue fills a read's result: nil, an integer (a register) or a
// vector of integers (a list).
func readValue(m *history.Mop, v any, ok bool) error {
	switch x := v.(type) {
	case nil:
		m.Nil = true
	case []any:
		if len(x) > MaxReadLen {
			return fmt.Errorf("read of %d elements, more than %d", len(x), MaxReadLen)
		}
		m.IsList = true
		m.List = make([]int64, len(x))
		for i, e := range x {
			n, err := integer(untag(e))
			if err != nil {
				return fmt.Errorf("read element %d: %w", i+1, err)
			}
			m.List[i] = n
		}
	default:
		n, err := integer(x)
		if err != nil {
			return fmt.Errorf("read: %w", err)
		}
		m.Value = n
	}
	if !ok && !m.Nil {
		// An invocation's read has no result yet; keep none.
		m.Nil, m.List, m.Value = true, nil, 0
	}
	return nil
}

func integer(v any) (int64, error) {
	switch x := v.(type) {
	case int64:
		return x, nil
	case float64:
		if x == math.Trunc(x) && math.Abs(x) < 1<<53 {
			return int64(x), nil
		}
	}
	return 0, fmt.Errorf("value %s is not an integer (transactional values must be integers)", text(v))
}

func (tr *txnReader) key(s string) int32 {
	if k, ok := tr.keys[s]; ok {
		return k
	}
	k := int32(len(tr.h.Keys))
	tr.keys[s] = k
	tr.h.Keys = append(tr.h.Keys, s)
	return k
}

// markLists marks the reads of a list-append history as list reads, nil
// ones included (Elle reads a completed [:r k nil] as the empty list).
func (tr *txnReader) markLists() {
	if tr.h.Kind() != "list-append" {
		return
	}
	for i := range tr.h.Txns {
		t := &tr.h.Txns[i]
		for j := range t.Mops {
			m := &t.Mops[j]
			if m.Kind != history.MopRead {
				continue
			}
			m.IsList = true
			if m.Nil && t.Outcome == history.OK {
				m.Nil = false // the empty list
			}
		}
	}
}
