package runner

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"faultline/system/backend"
	"faultline/workloads"
	"faultline/workloads/checker"
	"faultline/workloads/checker/elle"
	"faultline/workloads/gen"
	"faultline/workloads/history"
	"faultline/workloads/maelstrom"
	"faultline/workloads/results"
)

// TxnWorkload is the workload of a config whose kind is one of
// workloads.TxnKinds: transactions drawn by one gen.TxnGen (Elle's knobs,
// from the config's txn section) for all clients, sent as Maelstrom txn
// requests through the clients' backend.Invoker, recorded as history.Call
// ops with Key "txn" (as Maelstrom's txn workloads are), and checked by
// elle against the config's models. It runs as the Maelstrom workloads
// do (runMaelstrom), without setup or final phase.
func TxnWorkload(cfg *workloads.Config) (maelstrom.Workload, error) {
	w := cfg.Workload
	t := w.Txn
	if t == nil {
		return nil, fmt.Errorf("runner: workload %q has no txn section (call Defaults)", w.Kind)
	}
	tc := gen.TxnConfig{Write: history.MopAppend, KeyCount: w.Keys, MinTxnLength: t.MinTxnLength, MaxTxnLength: t.MaxTxnLength,
		MaxWritesPerKey: t.MaxWritesPerKey, Exponential: w.Distribution == workloads.DistExponential, KeyDistBase: t.KeyDistBase}
	if w.Kind == workloads.KindRWRegister {
		tc.Write = history.MopWrite
	}
	if w.ReadFraction != nil {
		tc.ReadFraction = *w.ReadFraction
		if tc.ReadFraction == 0 {
			tc.ReadFraction = 1e-300 // TxnConfig takes 0 for its default; no reads at all
		}
	}
	g, err := gen.NewTxnGen(tc, cfg.Seed)
	if err != nil {
		return nil, fmt.Errorf("runner: %w", err)
	}
	opts, err := TxnOptions(cfg)
	if err != nil {
		return nil, err
	}
	return &txnWorkload{name: w.Kind, gen: g, opts: opts}, nil
}

// TxnOptions are the checker options of a transactional config: its
// models.
func TxnOptions(cfg *workloads.Config) (elle.Options, error) {
	var o elle.Options
	if t := cfg.Workload.Txn; t != nil {
		for _, name := range t.Models {
			m, err := elle.ParseModel(name)
			if err != nil {
				return o, fmt.Errorf("runner: %w", err)
			}
			o.Models = append(o.Models, m)
		}
	}
	return o, nil
}

// invokerWorkload is the workload of a run whose clients are
// backend.Invokers: a transactional or a Maelstrom one.
func invokerWorkload(cfg *workloads.Config) (maelstrom.Workload, error) {
	if workloads.IsTxn(cfg.Workload.Kind) {
		return TxnWorkload(cfg)
	}
	return MaelstromWorkload(cfg)
}

// txnWorkload implements maelstrom.Workload for the transactional kinds.
type txnWorkload struct {
	name string
	gen  *gen.TxnGen
	opts elle.Options
}

// Name implements maelstrom.Workload.
func (w *txnWorkload) Name() string { return w.name }

// Setup implements maelstrom.Workload: nothing to set up.
func (*txnWorkload) Setup(context.Context, []string, backend.Invoker) error { return nil }

// Final implements maelstrom.Workload: no final phase.
func (*txnWorkload) Final(context.Context, []string, backend.Invoker) error { return nil }

// Client implements maelstrom.Workload: every client draws from the one
// generator, so that values stay unique per key and keys rotate for all.
func (w *txnWorkload) Client(int, int64) maelstrom.Generator { return txnClient{w.gen} }

// Check implements maelstrom.Workload: elle on the txn calls. The runner
// itself checks a run with TxnCheck, which keeps elle's whole result.
func (w *txnWorkload) Check(ctx context.Context, run maelstrom.Run) checker.Result {
	return elle.Checker{Options: w.opts}.Check(ctx, checker.Run{Ops: run.Ops})
}

// Judge implements maelstrom.Workload: elle judges a history under any
// fault (an unknown outcome is kept as such).
func (*txnWorkload) Judge(maelstrom.Fault) error { return nil }

// txnClient is one client's generator.
type txnClient struct{ g *gen.TxnGen }

// Next implements maelstrom.Generator: the next transaction as a txn
// request, reads' values null.
func (c txnClient) Next() maelstrom.Request {
	mops := c.g.Next()
	txn := make([][3]any, len(mops))
	for i, m := range mops {
		if m.Kind == history.MopRead {
			txn[i] = [3]any{"r", m.Key, nil}
		} else {
			txn[i] = [3]any{m.Kind.String(), m.Key, m.Value}
		}
	}
	args, _ := json.Marshal(map[string]any{"txn": txn})
	return maelstrom.Request{F: "txn", Args: args}
}

// Update implements maelstrom.Generator: replies change nothing.
func (txnClient) Update(maelstrom.Request, []byte, error) {}

// TxnRefusal refuses, before any cluster starts, a transactional workload
// on a backend that declares (backend.Declarer) no transactions
// (backend.PowerTxn); nil otherwise. A backend that does not declare is
// checked once its cluster has started.
func TxnRefusal(cfg *workloads.Config, b backend.Backend) error {
	if !workloads.IsTxn(cfg.Workload.Kind) {
		return nil
	}
	d, ok := b.(backend.Declarer)
	if !ok || slices.Contains(d.Powers(BackendSpec(cfg)), backend.PowerTxn) {
		return nil
	}
	return &workloads.FieldError{Path: "workload.kind", Msg: fmt.Sprintf(
		"transactional workload %q needs a backend whose clients run transactions (the %q power: backend.Invoker taking request type txn), such as %q; backend %q (%d node(s), %s mode) does not declare it",
		cfg.Workload.Kind, backend.PowerTxn, "memory", cfg.Backend.Name, cfg.Backend.Nodes, cfg.Backend.Mode)}
}

// TxnCheck checks the txn calls of r (its Ops, or its Keyed part "txn")
// with elle, keeping elle's whole result (anomalies, cycles, the models
// ruled out) in the check's Txn.
func TxnCheck(r checker.Run, opts elle.Options) results.Check {
	start := time.Now()
	h, err := elle.FromCalls(elle.TxnOps(r))
	if err != nil {
		return results.Check{Name: "elle", Verdict: checker.Unknown, DurationS: time.Since(start).Seconds(),
			Summary: "elle: unknown: cannot read the transactions: " + err.Error()}
	}
	res := elle.Check(h, opts)
	c := results.Check{Name: "elle", Verdict: res.Verdict, Summary: "elle " + res.Summary(), Txn: res,
		DurationS: time.Since(start).Seconds()}
	if len(res.AlsoFound) > 0 {
		c.Summary += "; also found " + strings.Join(res.AlsoFound, " ")
	}
	return c
}
