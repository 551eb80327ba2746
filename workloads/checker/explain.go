package checker

import (
	"fmt"

	"faultline/workloads/history"
)

// explainAll turns each kind's witness into an explained Anomaly.
func (c *keyCheck) explainAll() {
	for k := StaleRead; k < NonLinearizable; k++ {
		if w := c.best[k]; w.ok {
			a := c.explain(k, w)
			a.Kind, a.Key = k, c.key
			c.res.examples = append(c.res.examples, a)
		}
	}
}

// tok returns the token text at position p.
func (c *keyCheck) tok(p int32) string { return c.s[c.ends[p-1]:c.ends[p]] }

// who names an op's client (and node) for the text.
func (c *keyCheck) who(op int32) string {
	o := &c.ops[op]
	if o.Node != "" {
		return fmt.Sprintf("client %d via %s", o.Client, o.Node)
	}
	return fmt.Sprintf("client %d", o.Client)
}

// descAppend describes an append op with its times and outcome.
func (c *keyCheck) descAppend(op int32, prec int) string {
	o := &c.ops[op]
	s := fmt.Sprintf("append %s by %s, invoked %s, ", o.Value, c.who(op), secs(o.Invoke, prec))
	switch o.Outcome {
	case history.OK:
		s += "completed " + secs(o.Complete, prec)
	case history.Fail:
		s += "failed at " + secs(o.Complete, prec)
	default:
		s += "outcome unknown"
	}
	return s
}

// descRead describes a read op with its times and what it saw (k appends).
func (c *keyCheck) descRead(op int32, k int32, prec int) string {
	o := &c.ops[op]
	s := fmt.Sprintf("read by %s, invoked %s, completed %s, ", c.who(op), secs(o.Invoke, prec), secs(o.Complete, prec))
	if k == 0 {
		return s + "saw no appends"
	}
	return s + fmt.Sprintf("saw %s, the last %s", plural(int(k), "append"), c.tok(k))
}

// readerOf returns a read that saw position p (the one that saw the fewest
// appends, earliest first), or the longest read as a last resort.
func (c *keyCheck) readerOf(p int32) readPos {
	best := readPos{op: c.sRead, k: int32(len(c.toks))}
	found := false
	for _, r := range c.reads {
		if r.k < p {
			continue
		}
		if !found || r.k < best.k || r.k == best.k && c.ops[r.op].Invoke < c.ops[best.op].Invoke {
			best, found = r, true
		}
	}
	return best
}

func (c *keyCheck) inv(op int32) int64 { return c.ops[op].Invoke }
func (c *keyCheck) ret(op int32) int64 { return c.ops[op].Complete }

// explain builds the anomaly for witness w of kind k. Field meanings by kind:
//
//	StaleRead:        a read index; b position of the missed append (variant 0) or read index of the read that saw more (1)
//	FutureRead:       a read index; b position of the append invoked too late
//	LostAppend:       a append op; b read index of the read that missed it (0) or position of a later-invoked read append (1)
//	ReorderedAppends: a, b positions, a before b
//	IncomparableReads: a, b read ops
//	DuplicateToken:   a position of the repeat; b of the first occurrence
//	NeverWritten, FailedAppendRead: a position
//	MalformedRead:    a read op; variant 0 garbage, 1 ends inside the token at position b
func (c *keyCheck) explain(k AnomalyKind, w witness) Anomaly {
	switch k {
	case StaleRead:
		r := c.reads[w.a]
		if w.variant == 0 {
			p := w.b
			app := c.chain[p]
			prec := precFor(c.inv(r.op), c.ret(app))
			return Anomaly{
				at: c.inv(r.op), cycle: true,
				Text: fmt.Sprintf("read by %s at %s missed append %s (%s), which completed at %s",
					c.who(r.op), secs(c.inv(r.op), prec), c.tok(p), c.who(app), secs(c.ret(app), prec)),
				Steps: []Step{
					{Op: int(r.op), Desc: c.descRead(r.op, r.k, prec), Then: fmt.Sprintf("did not see %s, so it comes before that append", c.tok(p))},
					{Op: int(app), Desc: c.descAppend(app, prec), Then: "completed before the read was invoked"},
				},
			}
		}
		r2 := c.reads[w.b]
		p := r.k + 1
		prec := precFor(c.inv(r.op), c.ret(r2.op))
		steps := []Step{{Op: int(r.op), Desc: c.descRead(r.op, r.k, prec), Then: fmt.Sprintf("did not see %s (position %d), so it comes before it", c.tok(p), p)}}
		if app := c.chain[p]; app >= 0 {
			steps = append(steps, Step{Op: int(app), Desc: c.descAppend(app, prec), Then: "was seen by the next read, so it comes before it"})
		} else {
			steps[0].Then = fmt.Sprintf("did not see %s (position %d), which the next read saw, so it comes before it", c.tok(p), p)
		}
		steps = append(steps, Step{Op: int(r2.op), Desc: c.descRead(r2.op, r2.k, prec), Then: "completed before the first read was invoked"})
		return Anomaly{
			at: c.inv(r2.op), cycle: true,
			Text: fmt.Sprintf("read by %s at %s saw %s, but a read by %s that completed earlier, at %s, had already seen %d, including %s, which the later read missed",
				c.who(r.op), secs(c.inv(r.op), prec), appendsText(r.k), c.who(r2.op), secs(c.ret(r2.op), prec), r2.k, c.tok(p)),
			Steps: steps,
		}

	case FutureRead:
		r := c.reads[w.a]
		p := w.b
		app := c.chain[p]
		prec := precFor(c.ret(r.op), c.inv(app))
		return Anomaly{
			at: c.inv(r.op), cycle: true,
			Text: fmt.Sprintf("read by %s that completed at %s saw append %s (%s), which was only invoked later, at %s",
				c.who(r.op), secs(c.ret(r.op), prec), c.tok(p), c.who(app), secs(c.inv(app), prec)),
			Steps: []Step{
				{Op: int(app), Desc: c.descAppend(app, prec), Then: "was seen by the read, so it comes before it"},
				{Op: int(r.op), Desc: c.descRead(r.op, r.k, prec), Then: "completed before the append was invoked"},
			},
		}

	case LostAppend:
		u := w.a
		tok := c.ops[u].Value
		if w.variant == 0 {
			r := c.reads[w.b]
			prec := precFor(c.ret(u), c.inv(r.op))
			return Anomaly{
				at: c.inv(u), cycle: true,
				Text: fmt.Sprintf("append %s (%s) was acknowledged at %s but no read ever saw it; a read by %s invoked later, at %s, missed it",
					tok, c.who(u), secs(c.ret(u), prec), c.who(r.op), secs(c.inv(r.op), prec)),
				Steps: []Step{
					{Op: int(r.op), Desc: c.descRead(r.op, r.k, prec), Then: fmt.Sprintf("did not see %s, which no read saw, so it comes before it", tok)},
					{Op: int(u), Desc: c.descAppend(u, prec), Then: "completed before the read was invoked"},
				},
			}
		}
		p := w.b
		app := c.chain[p]
		rd := c.readerOf(p)
		prec := precFor(c.ret(u), c.inv(app))
		return Anomaly{
			at: c.inv(u), cycle: true,
			Text: fmt.Sprintf("append %s (%s) was acknowledged at %s but no read ever saw it, while append %s (%s), invoked later at %s, was read",
				tok, c.who(u), secs(c.ret(u), prec), c.tok(p), c.who(app), secs(c.inv(app), prec)),
			Steps: []Step{
				{Op: int(app), Desc: c.descAppend(app, prec), Then: "was seen by the read, so it comes before it"},
				{Op: int(rd.op), Desc: c.descRead(rd.op, rd.k, prec), Then: fmt.Sprintf("did not see %s, which no read saw, so it comes before it", tok)},
				{Op: int(u), Desc: c.descAppend(u, prec), Then: fmt.Sprintf("completed before append %s was invoked", c.tok(p))},
			},
		}

	case ReorderedAppends:
		p, q := w.a, w.b
		a, b := c.chain[p], c.chain[q]
		rd := c.readerOf(q)
		prec := precFor(c.ret(b), c.inv(a))
		return Anomaly{
			at: c.inv(a), cycle: true,
			Text: fmt.Sprintf("appends %s and %s were read in that order (positions %d and %d, for example by the read by %s at %s), but %s completed at %s, before %s was invoked at %s",
				c.tok(p), c.tok(q), p, q, c.who(rd.op), secs(c.inv(rd.op), prec), c.tok(q), secs(c.ret(b), prec), c.tok(p), secs(c.inv(a), prec)),
			Steps: []Step{
				{Op: int(a), Desc: c.descAppend(a, prec), Then: fmt.Sprintf("comes before %s in every value read", c.tok(q))},
				{Op: int(b), Desc: c.descAppend(b, prec), Then: fmt.Sprintf("completed before %s was invoked", c.tok(p))},
			},
		}

	case IncomparableReads:
		return c.explainIncomparable(w.a, w.b)

	case DuplicateToken:
		p, q := w.a, w.b
		rd := c.readerOf(p)
		prec := precFor(c.inv(rd.op))
		steps := []Step{{Op: int(rd.op), Desc: c.descRead(rd.op, rd.k, prec)}}
		if app := c.chain[q]; app >= 0 {
			steps = append(steps, Step{Op: int(app), Desc: c.descAppend(app, prec)})
		}
		return Anomaly{
			at: int64(p),
			Text: fmt.Sprintf("token %s appears twice in the values read, at positions %d and %d (for example in the read by %s at %s); each append happens once",
				c.tok(p), q, p, c.who(rd.op), secs(c.inv(rd.op), prec)),
			Steps: steps,
		}

	case NeverWritten:
		p := w.a
		rd := c.readerOf(p)
		prec := precFor(c.inv(rd.op))
		return Anomaly{
			at: int64(p),
			Text: fmt.Sprintf("read by %s at %s contains %s at position %d, which no client appended to this key",
				c.who(rd.op), secs(c.inv(rd.op), prec), c.tok(p), p),
			Steps: []Step{{Op: int(rd.op), Desc: c.descRead(rd.op, rd.k, prec)}},
		}

	case FailedAppendRead:
		p := w.a
		app := c.chain[p]
		rd := c.readerOf(p)
		prec := precFor(c.inv(rd.op), c.inv(app))
		return Anomaly{
			at: int64(p),
			Text: fmt.Sprintf("append %s (%s) failed, so it definitely did not take effect, but the read by %s at %s saw it at position %d",
				c.tok(p), c.who(app), c.who(rd.op), secs(c.inv(rd.op), prec), p),
			Steps: []Step{
				{Op: int(app), Desc: c.descAppend(app, prec)},
				{Op: int(rd.op), Desc: c.descRead(rd.op, rd.k, prec)},
			},
		}

	case MalformedRead:
		op := w.a
		o := &c.ops[op]
		prec := precFor(o.Invoke)
		var why string
		if w.variant == 1 {
			p := w.b
			why = fmt.Sprintf("it ends inside token %s (position %d)", c.tok(p), p)
		} else {
			why = fmt.Sprintf("at byte %d, %s: %v", c.badAt, snippet(c.ops[c.sRead].Output[c.badAt:]), c.badErr)
		}
		return Anomaly{
			at: int64(op),
			Text: fmt.Sprintf("read by %s at %s returned a value that is not a sequence of append tokens: %s",
				c.who(op), secs(o.Invoke, prec), why),
			Steps: []Step{{Op: int(op), Desc: fmt.Sprintf("read by %s, invoked %s, completed %s, returned %d bytes",
				c.who(op), secs(o.Invoke, prec), secs(o.Complete, prec), len(o.Output))}},
		}
	}
	panic(fmt.Sprintf("checker: no explanation for %v", k))
}

// explainIncomparable shows where reads a and b (the longest) diverge.
func (c *keyCheck) explainIncomparable(a, b int32) Anomaly {
	x, y := c.ops[a].Output, c.ops[b].Output
	n := 0
	for n < len(x) && n < len(y) && x[n] == y[n] {
		n++
	}
	// Back up to the start of the token the two disagree in.
	p := 0
	for p+1 < len(c.ends) && c.ends[p+1] <= n {
		p++
	}
	off := c.ends[p]
	tokenAt := func(v string) string {
		if off >= len(v) {
			return "nothing more"
		}
		if t, _, err := history.ParseToken(v[off:]); err == nil {
			return t.String()
		}
		return snippet(v[off:])
	}
	prec := precFor(c.inv(a), c.inv(b))
	return Anomaly{
		at: int64(a),
		Text: fmt.Sprintf("reads by %s at %s and by %s at %s disagree at position %d: one saw %s, the other %s, so no single order of appends explains both",
			c.who(a), secs(c.inv(a), prec), c.who(b), secs(c.inv(b), prec), p+1, tokenAt(x), tokenAt(y)),
		Steps: []Step{
			{Op: int(a), Desc: fmt.Sprintf("read by %s, invoked %s, completed %s, returned %d bytes", c.who(a), secs(c.inv(a), prec), secs(c.ret(a), prec), len(x))},
			{Op: int(b), Desc: fmt.Sprintf("read by %s, invoked %s, completed %s, returned %d bytes", c.who(b), secs(c.inv(b), prec), secs(c.ret(b), prec), len(y))},
		},
	}
}

// appendsText says how many appends a read saw: "no appends", "1 append".
func appendsText(k int32) string {
	if k == 0 {
		return "no appends"
	}
	return plural(int(k), "append")
}
