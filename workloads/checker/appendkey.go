package checker

import (
	"fmt"
	"math"
	"sort"
	"strings"

	"faultline/workloads/history"
)

const (
	inf    = math.MaxInt64
	negInf = math.MinInt64
)

// keyCheck is the analysis of one key of an append history. Positions are
// 1-based indexes into the append order inferred from the longest read.
type keyCheck struct {
	key string
	ops []history.Op // the whole history; indexes below point into it

	appends []appendRec             // the key's appends, in history order
	tokenOp map[history.Token]int32 // each appended token's index in appends
	reads   []readPos               // ok reads that are prefixes of s
	s       string                  // the longest read value, cut before any malformed token
	sRead   int32                   // the op that read s
	nReads  int                     // ok reads of the key
	badAt   int                     // byte offset of s's first malformed token, or -1
	badErr  error                   // the parse error there
	toks    []history.Token         // toks[p-1] is the token at position p
	ends    []int                   // ends[p] is the byte offset just after position p; ends[0] = 0
	chain   []int32                 // chain[p] is the append op at position p, or -1 (none: a phantom or a duplicate)

	best [numAnomalyKinds]witness
	res  keyResult
}

// appendRec is one append of the key and the position its token was read
// at (0: not read by anyone).
type appendRec struct {
	op  int32
	pos int32
	tok history.Token
}

// readPos is an ok read and k, the number of appends it saw.
type readPos struct {
	op int32
	k  int32
}

// keyResult is what one key contributes to the Result.
type keyResult struct {
	key      string
	ops      int
	counts   [numAnomalyKinds]int
	unread   int
	examples []Anomaly
	err      error
}

// witness is the example kept for one anomaly kind: the one with the
// smallest (at, a). The meaning of a, b and variant depends on the kind; see
// explain.
type witness struct {
	ok      bool
	at      int64
	a, b    int32
	variant uint8
}

func (w *witness) offer(at int64, a, b int32, variant uint8) {
	if w.ok && (at > w.at || at == w.at && a >= w.a) {
		return
	}
	*w = witness{ok: true, at: at, a: a, b: b, variant: variant}
}

// checkAppendKey decides one key: idx lists its ops in history order.
func checkAppendKey(key string, ops []history.Op, idx []int32) keyResult {
	c := keyCheck{key: key, ops: ops, sRead: -1, badAt: -1}
	c.res.key = key
	if err := c.collect(idx); err != nil {
		c.res.err = err
		return c.res
	}
	c.placeReads(idx)
	c.buildChain()
	c.sweep()
	c.explainAll()
	return c.res
}

// retOf is when op certainly took effect by: its completion if it was
// acknowledged, else never (an info op, or a failed op that was read anyway,
// may take effect at any time after its invocation).
func (c *keyCheck) retOf(op int32) int64 {
	if o := &c.ops[op]; o.Outcome == history.OK {
		return o.Complete
	}
	return inf
}

// collect sorts the key's ops into appends and ok reads, rejecting ops the
// append check cannot judge.
func (c *keyCheck) collect(idx []int32) error {
	nAppends := 0
	for _, i := range idx {
		if c.ops[i].Kind == history.Append {
			nAppends++
		}
	}
	c.tokenOp = make(map[history.Token]int32, nAppends)
	c.appends = make([]appendRec, 0, nAppends)
	for _, i := range idx {
		op := &c.ops[i]
		if op.Complete < op.Invoke {
			return fmt.Errorf("%w: op %d completes at %d before its invocation at %d", ErrBadHistory, i, op.Complete, op.Invoke)
		}
		switch {
		case op.Kind == history.Append:
			tok, n, err := history.ParseToken(op.Value)
			if err != nil || n != len(op.Value) {
				return fmt.Errorf("%w: op %d appends %s, which is not one token", ErrBadHistory, i, snippet(op.Value))
			}
			if prev, dup := c.tokenOp[tok]; dup {
				return fmt.Errorf("%w: ops %d and %d both append %s", ErrBadHistory, c.appends[prev].op, i, tok)
			}
			c.tokenOp[tok] = int32(len(c.appends))
			c.appends = append(c.appends, appendRec{op: i, tok: tok})
			c.res.ops++
		case op.Kind.Reads():
			if op.Outcome == history.OK {
				c.res.ops++
				c.nReads++
				if c.sRead < 0 || len(op.Output) > len(c.ops[c.sRead].Output) {
					c.sRead = i
				}
			}
		default:
			return fmt.Errorf("%w: op %d is a %s on key %q; the append check takes only get, read and append", ErrUnsupported, i, op.Kind, c.key)
		}
	}
	return nil
}

// placeReads parses the longest read into positions and places every other
// ok read at the position it ends at. Reads that are not prefixes of the
// longest, or that end inside a token, are anomalies and take no further
// part.
func (c *keyCheck) placeReads(idx []int32) {
	c.ends = []int{0}
	if c.sRead < 0 {
		return
	}
	s := c.ops[c.sRead].Output
	nToks := strings.Count(s, ";") // every token ends in ';'
	c.toks = make([]history.Token, 0, nToks)
	c.ends = make([]int, 1, nToks+1)
	c.reads = make([]readPos, 0, c.nReads)
	for off := 0; off < len(s); {
		tok, n, err := history.ParseToken(s[off:])
		if err != nil {
			c.badAt, c.badErr = off, err
			break
		}
		c.toks = append(c.toks, tok)
		off += n
		c.ends = append(c.ends, off)
	}
	good := c.ends[len(c.ends)-1]
	c.s = s[:good]
	for _, i := range idx {
		op := &c.ops[i]
		if !op.Kind.Reads() || op.Outcome != history.OK {
			continue
		}
		out := op.Output
		// Reads usually share the longest read's bytes or equal them, so
		// this prefix test is a memory compare at worst.
		if !strings.HasPrefix(s, out) {
			c.res.counts[IncomparableReads]++
			c.best[IncomparableReads].offer(int64(i), i, c.sRead, 0)
			continue
		}
		if len(out) > good {
			c.res.counts[MalformedRead]++
			c.best[MalformedRead].offer(int64(i), i, 0, 0)
			continue
		}
		k := sort.SearchInts(c.ends, len(out))
		if c.ends[k] != len(out) {
			c.res.counts[MalformedRead]++
			c.best[MalformedRead].offer(int64(i), i, int32(k), 1)
			continue
		}
		c.reads = append(c.reads, readPos{op: i, k: int32(k)})
	}
}

// buildChain maps every position to the append that wrote its token.
func (c *keyCheck) buildChain() {
	n := len(c.toks)
	c.chain = make([]int32, n+1)
	c.chain[0] = -1
	for p := 1; p <= n; p++ {
		tok := c.toks[p-1]
		ai, ok := c.tokenOp[tok]
		switch {
		case !ok:
			c.chain[p] = -1
			c.res.counts[NeverWritten]++
			c.best[NeverWritten].offer(int64(p), int32(p), 0, 0)
		case c.appends[ai].pos != 0:
			c.chain[p] = -1
			c.res.counts[DuplicateToken]++
			c.best[DuplicateToken].offer(int64(p), int32(p), c.appends[ai].pos, 0)
		default:
			a := &c.appends[ai]
			a.pos = int32(p)
			c.chain[p] = a.op
			if c.ops[a.op].Outcome == history.Fail {
				c.res.counts[FailedAppendRead]++
				c.best[FailedAppendRead].offer(int64(p), int32(p), 0, 0)
			}
		}
	}
}

// sweep finds every real-time violation in linear time.
//
// Give each op a rank in the order the reads force: the append at position
// p has rank 2p, a read that saw k appends has rank 2k+1, and an
// acknowledged append no read saw has rank 2n+2 (it must follow every read,
// or some read would include it; unread info appends are left out, since
// they may never have happened). The version-order edges of the precedence
// graph (A_p -> A_p+1, A_k -> read -> A_k+1, last read -> unread appends)
// relate a before b exactly when rank(a) < rank(b). Real time adds a -> b
// when a completed before b was invoked. So the graph has a cycle exactly
// when some pair has rank(a) < rank(b) but b completed before a was
// invoked: within equal ranks any order by invocation time satisfies real
// time, so without such a pair sorting by (rank, invocation) is a
// linearization. Suffix minima of completion times over ranks find every
// such pair, and each pair is a cycle of two ops (three when the reason for
// the rank order is a third op).
func (c *keyCheck) sweep() {
	n := len(c.toks)
	// Suffix minimum of append completions, by position.
	minA := make([]int64, n+2)
	argMinA := make([]int32, n+2)
	minA[n+1], argMinA[n+1] = inf, -1
	for p := n; p >= 1; p-- {
		minA[p], argMinA[p] = minA[p+1], argMinA[p+1]
		if op := c.chain[p]; op >= 0 {
			if r := c.retOf(op); r < minA[p] {
				minA[p], argMinA[p] = r, int32(p)
			}
		}
	}
	// Prefix maximum of append invocations, by position.
	maxA := make([]int64, n+1)
	argMaxA := make([]int32, n+1)
	maxA[0], argMaxA[0] = negInf, -1
	for p := 1; p <= n; p++ {
		maxA[p], argMaxA[p] = maxA[p-1], argMaxA[p-1]
		if op := c.chain[p]; op >= 0 && c.ops[op].Invoke > maxA[p] {
			maxA[p], argMaxA[p] = c.ops[op].Invoke, int32(p)
		}
	}
	// Suffix minimum of read completions, by the number of appends seen,
	// and the latest read invocation.
	minR := make([]int64, n+2)
	argMinR := make([]int32, n+2)
	for k := range minR {
		minR[k], argMinR[k] = inf, -1
	}
	maxReadInv, argMaxRead := int64(negInf), int32(-1)
	for ri, r := range c.reads {
		op := &c.ops[r.op]
		if op.Complete < minR[r.k] {
			minR[r.k], argMinR[r.k] = op.Complete, int32(ri)
		}
		if op.Invoke > maxReadInv {
			maxReadInv, argMaxRead = op.Invoke, int32(ri)
		}
	}
	for k := n - 1; k >= 0; k-- {
		if minR[k+1] < minR[k] {
			minR[k], argMinR[k] = minR[k+1], argMinR[k+1]
		}
	}

	// Appends read out of real-time order.
	for p := 1; p <= n; p++ {
		op := c.chain[p]
		if op < 0 {
			continue
		}
		if inv := c.ops[op].Invoke; minA[p+1] < inv {
			c.res.counts[ReorderedAppends]++
			c.best[ReorderedAppends].offer(inv, int32(p), argMinA[p+1], 0)
		}
	}
	// Reads: from the future, or stale.
	for ri, r := range c.reads {
		op := &c.ops[r.op]
		if maxA[r.k] > op.Complete {
			c.res.counts[FutureRead]++
			c.best[FutureRead].offer(op.Invoke, int32(ri), argMaxA[r.k], 0)
		}
		switch {
		case minA[r.k+1] < op.Invoke:
			c.res.counts[StaleRead]++
			c.best[StaleRead].offer(op.Invoke, int32(ri), argMinA[r.k+1], 0)
		case minR[r.k+1] < op.Invoke:
			c.res.counts[StaleRead]++
			c.best[StaleRead].offer(op.Invoke, int32(ri), argMinR[r.k+1], 1)
		}
	}
	// Acknowledged appends nobody read: lost if anything ranked before them
	// began after they completed; otherwise merely unread.
	for _, a := range c.appends {
		if a.pos != 0 || c.ops[a.op].Outcome != history.OK {
			continue
		}
		ret := c.ops[a.op].Complete
		switch {
		case maxReadInv > ret:
			c.res.counts[LostAppend]++
			c.best[LostAppend].offer(c.ops[a.op].Invoke, a.op, argMaxRead, 0)
		case maxA[n] > ret:
			c.res.counts[LostAppend]++
			c.best[LostAppend].offer(c.ops[a.op].Invoke, a.op, argMaxA[n], 1)
		default:
			c.res.unread++
		}
	}
}
