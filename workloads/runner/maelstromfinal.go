package runner

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"time"

	"faultline/workloads/history"
	"faultline/workloads/maelstrom"
)

// finalRetry is the pause between two rounds of final reads that did not
// agree.
const finalRetry = 200 * time.Millisecond

// finalPhase waits the recovery time after the heal (without faults, it
// does not wait), marks the final
// phase in the history and runs the workload's final requests, again and
// again until the nodes' final reads agree or the final timeout runs out
// (the checks judge each node's last ok final read). It returns false
// when ctx ended the run first.
func (m *mrun) finalPhase(ctx context.Context, nodes []string, harness *maelstrom.Recorder) bool {
	mc := m.cfg.Workload.Maelstrom
	if mc == nil { // a transactional workload: no final phase
		return ctx.Err() == nil
	}
	if m.o.Nemesis != nil && !sleepCtx(ctx, mc.Recovery.D()) {
		return false
	}
	m.events.Point(maelstrom.FinalEvent, nil, maelstrom.FinalPhase(0).Desc)
	fctx, cancel := context.WithTimeout(ctx, mc.FinalTimeout.D())
	defer cancel()
	for {
		var round []history.Op
		rec := *harness
		rec.Sink = func(op history.Op) { round = append(round, op); harness.Sink(op) }
		if err := m.w.Final(fctx, nodes, &rec); err != nil {
			m.log.Warn("final phase", "workload", m.w.Name(), "err", err)
			return ctx.Err() == nil
		}
		if agreed(round) || !sleepCtx(fctx, finalRetry) {
			return ctx.Err() == nil
		}
	}
}

// sleepCtx waits d or until ctx ends; false when ctx ended.
func sleepCtx(ctx context.Context, d time.Duration) bool {
	wctx, cancel := context.WithTimeout(ctx, d)
	defer cancel()
	<-wctx.Done()
	return ctx.Err() == nil
}

// agreed reports whether a round of final requests leaves nothing to
// retry: every read succeeded and all read the same state (the reply's
// fields but its type, lists compared as sets). A round without reads
// (Kafka's polls, a workload without a final phase) is done at once.
func agreed(round []history.Op) bool {
	first := ""
	for _, op := range round {
		if op.Kind != history.Call || op.Key != "read" {
			continue
		}
		if op.Outcome != history.OK {
			return false
		}
		s, err := readState(op.Output)
		if err != nil {
			return false
		}
		if first == "" {
			first = s
		} else if s != first {
			return false
		}
	}
	return true
}

// readState is the canonical form of a read reply's state: its fields
// without type, msg_id and in_reply_to, each list sorted.
func readState(reply string) (string, error) {
	var body map[string]any
	if err := json.Unmarshal([]byte(reply), &body); err != nil {
		return "", fmt.Errorf("read reply: %w", err)
	}
	delete(body, "type")
	delete(body, "msg_id")
	delete(body, "in_reply_to")
	for k, v := range body {
		if l, ok := v.([]any); ok {
			slices.SortFunc(l, func(a, b any) int {
				return compareJSON(a, b)
			})
			body[k] = l
		}
	}
	b, err := json.Marshal(body)
	return string(b), err
}

// compareJSON orders two decoded JSON values by their encodings.
func compareJSON(a, b any) int {
	x, _ := json.Marshal(a)
	y, _ := json.Marshal(b)
	switch {
	case string(x) < string(y):
		return -1
	case string(x) > string(y):
		return 1
	}
	return 0
}
