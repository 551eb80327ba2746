package checker

import (
	"errors"
	"slices"
	"strings"
	"testing"

	"faultline/workloads/history"
)

// Builders for hand-made histories; times are in milliseconds.

func tk(c, s int) history.Token { return history.Token{Client: c, Seq: s} }

func ms(t int64) int64 { return t * 1_000_000 }

func app(t history.Token, inv, ret int64) history.Op {
	return history.Op{Client: t.Client, Kind: history.Append, Key: "k", Value: t.String(), Invoke: ms(inv), Complete: ms(ret), Outcome: history.OK}
}

func appOutcome(t history.Token, inv, ret int64, o history.Outcome) history.Op {
	op := app(t, inv, ret)
	op.Outcome = o
	return op
}

func read(client int, inv, ret int64, toks ...history.Token) history.Op {
	var b strings.Builder
	for _, t := range toks {
		b.WriteString(t.String())
	}
	return history.Op{Client: client, Kind: history.Get, Key: "k", Output: b.String(), Invoke: ms(inv), Complete: ms(ret), Outcome: history.OK}
}

func readRaw(client int, inv, ret int64, out string) history.Op {
	op := read(client, inv, ret)
	op.Output = out
	return op
}

func TestAppendHandmade(t *testing.T) {
	a, b, c := tk(0, 0), tk(1, 0), tk(2, 0)
	for _, tc := range []struct {
		name    string
		ops     []history.Op
		kinds   []AnomalyKind // expected Counts keys; nil means valid
		text    string        // the first anomaly's text, when set
		steps   []int         // the first anomaly's step ops, when set
		unread  int
		nothing bool // nothing to check: unknown
	}{
		{name: "valid", ops: []history.Op{app(a, 0, 10), read(5, 20, 30, a), app(b, 25, 40), read(6, 35, 45, a, b), read(7, 36, 46, a)}},
		{name: "concurrent read may miss", ops: []history.Op{app(a, 0, 10), read(5, 5, 30), read(6, 20, 30, a)}},
		{name: "empty history", ops: nil, nothing: true},
		{name: "reads of nothing", ops: []history.Op{read(5, 0, 1), read(6, 2, 3)}},
		{
			name:  "missed completed append",
			ops:   []history.Op{app(a, 12100, 12200), read(5, 12301, 12320), read(6, 12400, 12410, a)},
			kinds: []AnomalyKind{StaleRead},
			text:  "read by client 5 at 12.301 s missed append c0.s0; (client 0), which completed at 12.200 s",
			steps: []int{1, 0},
		},
		{
			name:  "stale after a newer read",
			ops:   []history.Op{app(a, 0, 100), read(5, 10, 20, a), read(6, 30, 40)},
			kinds: []AnomalyKind{StaleRead},
			text:  "read by client 6 at 0.030 s saw no appends, but a read by client 5 that completed earlier, at 0.020 s, had already seen 1, including c0.s0;, which the later read missed",
			steps: []int{2, 0, 1},
		},
		{
			name:  "read from the future",
			ops:   []history.Op{read(5, 10, 20, a), app(a, 30, 40)},
			kinds: []AnomalyKind{FutureRead},
			text:  "read by client 5 that completed at 0.020 s saw append c0.s0; (client 0), which was only invoked later, at 0.030 s",
			steps: []int{1, 0},
		},
		{
			name:  "lost append seen by no later read",
			ops:   []history.Op{app(a, 0, 10), read(5, 20, 30)},
			kinds: []AnomalyKind{LostAppend},
			text:  "append c0.s0; (client 0) was acknowledged at 0.010 s but no read ever saw it; a read by client 5 invoked later, at 0.020 s, missed it",
			steps: []int{1, 0},
		},
		{
			name:  "lost append behind a later read append",
			ops:   []history.Op{app(a, 0, 10), app(b, 20, 30), read(5, 5, 40, b)},
			kinds: []AnomalyKind{LostAppend},
			text:  "append c0.s0; (client 0) was acknowledged at 0.010 s but no read ever saw it, while append c1.s0; (client 1), invoked later at 0.020 s, was read",
			steps: []int{1, 2, 0},
		},
		{
			name:  "reordered appends",
			ops:   []history.Op{app(a, 0, 10), app(b, 20, 30), read(5, 40, 50, b, a)},
			kinds: []AnomalyKind{ReorderedAppends},
			text:  "appends c1.s0; and c0.s0; were read in that order (positions 1 and 2, for example by the read by client 5 at 0.040 s), but c0.s0; completed at 0.010 s, before c1.s0; was invoked at 0.020 s",
			steps: []int{1, 0},
		},
		{
			name:  "reads disagree on order",
			ops:   []history.Op{app(a, 0, 10), app(b, 0, 10), app(c, 0, 10), read(5, 20, 30, a, b, c), read(6, 20, 30, b, a)},
			kinds: []AnomalyKind{IncomparableReads},
			text:  "reads by client 6 at 0.020 s and by client 5 at 0.020 s disagree at position 1: one saw c1.s0;, the other c0.s0;, so no single order of appends explains both",
			steps: []int{4, 3},
		},
		{
			name:  "duplicate token",
			ops:   []history.Op{app(a, 0, 10), app(b, 0, 10), read(5, 20, 30, a, b, a)},
			kinds: []AnomalyKind{DuplicateToken},
			text:  "token c0.s0; appears twice in the values read, at positions 1 and 3 (for example in the read by client 5 at 0.020 s); each append happens once",
		},
		{
			name:  "never written",
			ops:   []history.Op{app(a, 0, 10), read(5, 20, 30, a, tk(9, 9))},
			kinds: []AnomalyKind{NeverWritten},
			text:  "read by client 5 at 0.020 s contains c9.s9; at position 2, which no client appended to this key",
		},
		{
			name:  "failed append read",
			ops:   []history.Op{appOutcome(a, 0, 10, history.Fail), read(5, 20, 30, a)},
			kinds: []AnomalyKind{FailedAppendRead},
			text:  "append c0.s0; (client 0) failed, so it definitely did not take effect, but the read by client 5 at 0.020 s saw it at position 1",
		},
		{
			name:  "garbage",
			ops:   []history.Op{app(a, 0, 10), readRaw(5, 20, 30, a.String()+"garbage")},
			kinds: []AnomalyKind{MalformedRead},
			text:  "read by client 5 at 0.020 s returned a value that is not a sequence of append tokens: at byte 6, \"garbage\": bad append token: want 'c' at byte 0",
		},
		{
			name:  "truncated token",
			ops:   []history.Op{app(a, 0, 10), app(b, 0, 10), read(5, 20, 30, a, b), readRaw(6, 20, 30, a.String()+"c1.s")},
			kinds: []AnomalyKind{MalformedRead},
			text:  "read by client 6 at 0.020 s returned a value that is not a sequence of append tokens: it ends inside token c1.s0; (position 2)",
		},
		{name: "info append unread", ops: []history.Op{appOutcome(a, 0, 10, history.Info), read(5, 20, 30)}},
		{name: "info append read late", ops: []history.Op{appOutcome(a, 0, 10, history.Info), read(5, 20, 30), read(6, 40, 50, a)}},
		{name: "failed append unread", ops: []history.Op{appOutcome(a, 0, 10, history.Fail), read(5, 20, 30)}},
		{
			name:  "info append read before invoked",
			ops:   []history.Op{read(5, 0, 5, a), appOutcome(a, 10, 20, history.Info)},
			kinds: []AnomalyKind{FutureRead},
		},
		{name: "unread at the end", ops: []history.Op{app(a, 0, 10), read(5, 5, 30), app(b, 40, 50)}, unread: 2},
		{name: "info and failed reads ignored", ops: []history.Op{
			app(a, 0, 10),
			{Client: 5, Kind: history.Get, Key: "k", Invoke: ms(20), Complete: ms(30), Outcome: history.Info},
			{Client: 6, Kind: history.Read, Key: "k", Output: "junk", Invoke: ms(20), Complete: ms(30), Outcome: history.Fail},
		}, unread: 1},
		{name: "equal times are concurrent", ops: []history.Op{app(a, 0, 10), read(5, 10, 20)}, unread: 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res, err := CheckAppend(tc.ops, AppendOptions{})
			if err != nil {
				t.Fatal(err)
			}
			var kinds []AnomalyKind
			for k := range res.Counts {
				kinds = append(kinds, k)
			}
			slices.Sort(kinds)
			want := slices.Clone(tc.kinds)
			slices.Sort(want)
			if !slices.Equal(kinds, want) {
				t.Fatalf("anomaly kinds %v, want %v\n%s", kinds, want, dump(res))
			}
			wantVerdict := Valid
			if len(tc.kinds) > 0 {
				wantVerdict = Invalid
			}
			if tc.nothing {
				wantVerdict = Unknown
			}
			if res.Verdict != wantVerdict {
				t.Fatalf("verdict %v, want %v", res.Verdict, wantVerdict)
			}
			if res.Unread != tc.unread {
				t.Errorf("unread %d, want %d", res.Unread, tc.unread)
			}
			if len(tc.kinds) == 0 {
				return
			}
			first := res.Anomalies[0]
			if first.Kind != tc.kinds[0] || first.Key != "k" {
				t.Errorf("first anomaly %v on %q, want %v on \"k\"", first.Kind, first.Key, tc.kinds[0])
			}
			if tc.text != "" && first.Text != tc.text {
				t.Errorf("text:\n got %s\nwant %s", first.Text, tc.text)
			}
			if tc.steps != nil {
				var got []int
				for _, s := range first.Steps {
					got = append(got, s.Op)
				}
				if !slices.Equal(got, tc.steps) {
					t.Errorf("steps %v, want %v\n%s", got, tc.steps, first)
				}
				for i, s := range first.Steps {
					if s.Desc == "" || first.cycle && s.Then == "" {
						t.Errorf("step %d lacks a description or reason: %+v", i, s)
					}
				}
			}
		})
	}
}

func dump(res Result) string {
	var b strings.Builder
	b.WriteString(res.Summary())
	for _, a := range res.Anomalies {
		b.WriteString("\n")
		b.WriteString(a.String())
	}
	return b.String()
}

func TestAppendErrors(t *testing.T) {
	a := tk(0, 0)
	for _, tc := range []struct {
		name string
		ops  []history.Op
		want error
	}{
		{"put", []history.Op{{Kind: history.Put, Key: "k", Value: "x", Outcome: history.OK}}, ErrUnsupported},
		{"cas", []history.Op{{Kind: history.CAS, Key: "k", Outcome: history.Fail}}, ErrUnsupported},
		{"two tokens", []history.Op{{Kind: history.Append, Key: "k", Value: a.String() + a.String(), Outcome: history.OK}}, ErrBadHistory},
		{"not a token", []history.Op{{Kind: history.Append, Key: "k", Value: "x", Outcome: history.OK}}, ErrBadHistory},
		{"token twice", []history.Op{app(a, 0, 1), app(a, 2, 3)}, ErrBadHistory},
		{"time travel", []history.Op{{Kind: history.Get, Key: "k", Invoke: 5, Complete: 4, Outcome: history.OK}}, ErrBadHistory},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := CheckAppend(tc.ops, AppendOptions{})
			if !errors.Is(err, tc.want) {
				t.Fatalf("err = %v, want %v", err, tc.want)
			}
		})
	}
}

func TestAppendCountsAndKeys(t *testing.T) {
	a, b := tk(0, 0), tk(1, 0)
	var ops []history.Op
	// Key "k": two stale reads. Key "x": a future read. Key "ok": fine.
	ops = append(ops, app(a, 0, 10), read(5, 20, 30), read(6, 21, 31), read(7, 40, 50, a))
	fut := read(5, 0, 5, b)
	fut.Key = "x"
	fb := app(b, 10, 20)
	fb.Key = "x"
	okr := read(3, 0, 1)
	okr.Key = "ok"
	ops = append(ops, fut, fb, okr)
	res, err := CheckAppend(ops, AppendOptions{Workers: 3})
	if err != nil {
		t.Fatal(err)
	}
	if res.Verdict != Invalid || res.Keys != 3 || res.KeysInvalid != 2 || !slices.Equal(res.FailingKeys, []string{"k", "x"}) {
		t.Fatalf("got %s, failing %v", res.Summary(), res.FailingKeys)
	}
	if res.Counts[StaleRead] != 2 || res.Counts[FutureRead] != 1 || len(res.Counts) != 2 {
		t.Fatalf("counts %v", res.Counts)
	}
	if res.Ops != len(ops) {
		t.Fatalf("ops %d, want %d", res.Ops, len(ops))
	}
	d := res.Details()
	if d["stale-read"] != 2 || d["future-read"] != 1 {
		t.Fatalf("details %v", d)
	}
	res, _ = CheckAppend(ops, AppendOptions{MaxExamples: 1})
	if len(res.Anomalies) != 1 {
		t.Fatalf("MaxExamples 1 kept %d", len(res.Anomalies))
	}
}
