package runner

import (
	"context"
	"fmt"
	"strings"
	"time"

	"faultline/system/backend"
	"faultline/workloads"
	"faultline/workloads/gen"
	"faultline/workloads/results"
)

// bareScriptLen is the length of each client's bare script; a client that
// runs through it starts over.
const bareScriptLen = 4096

// BareKeyPrefix prefixes the keys of the bare loop: the same key indices,
// drawn by the same generator, in a key space of their own, so that what
// the bare loop writes never shows in the harness's checked history.
const BareKeyPrefix = "b"

// bareSpec makes the bare loop's load for cfg: every client's script
// drawn from the workload's generator (same seed, same client streams, so
// the same op kinds, key indices and mix as the harness's clients) and the
// value it writes (its first generated value, so of the configured size).
func bareSpec(cfg *workloads.Config, d time.Duration) (backend.BareSpec, error) {
	g, err := gen.New(cfg.Workload, cfg.Seed)
	if err != nil {
		return backend.BareSpec{}, fmt.Errorf("runner: bare: %w", err)
	}
	kinds := map[gen.Kind]backend.BareKind{gen.Get: backend.BareGet, gen.Put: backend.BarePut,
		gen.Append: backend.BareAppend, gen.RMW: backend.BareRMW}
	spec := backend.BareSpec{Duration: d, Timeout: cfg.Workload.Timeout.D()}
	for i := range cfg.Workload.Clients {
		cg := g.Client(i)
		script := make([]backend.BareOp, bareScriptLen)
		value := ""
		for k := range script {
			op := cg.Next()
			script[k] = backend.BareOp{Kind: kinds[op.Kind], Key: BareKeyPrefix + op.Key}
			if value == "" && op.Value != "" {
				value = op.Value
			}
		}
		if value == "" {
			value = strings.Repeat("v", cfg.Workload.ValueSize)
		}
		spec.Scripts = append(spec.Scripts, script)
		spec.Values = append(spec.Values, value)
	}
	return spec, nil
}

// barePlan is the measured part of a run with a bare section: its
// duration split into Rounds harness phases ("main-1", ...), each paired
// with a bare stretch of the same length.
func barePlan(cfg *workloads.Config) []workloads.Phase {
	n := cfg.Bare.Rounds
	d := workloads.Duration(cfg.Workload.Duration.D() / time.Duration(n))
	plan := make([]workloads.Phase, n)
	for i := range plan {
		plan[i] = workloads.Phase{Name: fmt.Sprintf("main-%d", i+1), Duration: d, Loop: workloads.LoopClosed}
	}
	return plan
}

// bareFirst says whether round i (from 0) runs the bare loop before the
// harness: rounds alternate, bare first in the first.
func bareFirst(i int) bool { return i%2 == 0 }

// bareRounds runs the bare stretches of a run and pairs them with the
// harness phases.
type bareRounds struct {
	b      backend.Barer
	spec   backend.BareSpec
	rounds []results.BareRound
}

// newBareRounds prepares the bare stretches of cfg on cluster, which must
// have the bare power.
func newBareRounds(cfg *workloads.Config, cluster backend.Cluster) (*bareRounds, error) {
	b, ok := cluster.(backend.Barer)
	if !ok {
		return nil, fmt.Errorf("runner: bare.rounds = %d, but backend %q has no bare loop (backend.Barer)", cfg.Bare.Rounds, cfg.Backend.Name)
	}
	spec, err := bareSpec(cfg, barePlan(cfg)[0].Duration.D())
	if err != nil {
		return nil, err
	}
	return &bareRounds{b: b, spec: spec}, nil
}

// run runs round i's bare stretch.
func (br *bareRounds) run(ctx context.Context, i int) error {
	res, err := br.b.Bare(ctx, br.spec)
	if err != nil && ctx.Err() == nil {
		return fmt.Errorf("runner: bare round %d: %w", i+1, err)
	}
	r := br.round(i)
	r.First = "harness"
	if bareFirst(i) {
		r.First = "bare"
	}
	r.BareOps, r.BareErrors, r.BareDefinite = res.Total()
	r.BareS = res.Elapsed.Seconds()
	r.BareOpsPerS = round1(res.OpsPerSec())
	return nil
}

// round returns round i (from 0), adding the rounds up to it.
func (br *bareRounds) round(i int) *results.BareRound {
	for len(br.rounds) <= i {
		br.rounds = append(br.rounds, results.BareRound{Round: len(br.rounds) + 1})
	}
	return &br.rounds[i]
}

// harness records round i's harness phase p.
func (br *bareRounds) harness(i int, p results.Phase) {
	r := br.round(i)
	r.HarnessOps = p.Ops
	r.HarnessS = float64(p.EndNS-p.StartNS) / 1e9
	if r.HarnessS > 0 {
		r.HarnessOpsPerS = round1(float64(p.Ops) / r.HarnessS)
	}
}

// result is the rounds with both stretches, and their medians.
func (br *bareRounds) result() *results.Bare {
	out := &results.Bare{}
	var bare, harness, ratio []float64
	for _, r := range br.rounds {
		if r.BareS == 0 || r.HarnessS == 0 {
			continue // an interrupted round
		}
		if r.BareOpsPerS > 0 {
			r.Ratio = round3(r.HarnessOpsPerS / r.BareOpsPerS)
		}
		out.Rounds = append(out.Rounds, r)
		bare, harness, ratio = append(bare, r.BareOpsPerS), append(harness, r.HarnessOpsPerS), append(ratio, r.Ratio)
	}
	out.BareOpsPerS, out.HarnessOpsPerS, out.Ratio = round1(results.Median(bare)), round1(results.Median(harness)), round3(results.Median(ratio))
	return out
}

func round1(x float64) float64 { return results.Round(x, 1) }
func round3(x float64) float64 { return results.Round(x, 3) }
