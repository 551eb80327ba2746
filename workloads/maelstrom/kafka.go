package maelstrom

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"math/rand/v2"
	"strconv"

	"faultline/system/backend"
	"faultline/workloads/checker"
)

// maxFinalPolls bounds the final polls of one node.
const maxFinalPolls = 1000

// kafka: clients send unique ints to a few string keys, poll every key from
// their own offsets, commit the highest offsets they polled right after
// each poll (as Maelstrom's client does), and now and then re-assign their
// keys: list the committed offsets and resume polling from them.
type kafka struct{ base }

// kafkaKeys returns the workload's keys "0".."n-1".
func (w kafka) keys() []string {
	n := orDefault(w.opts.KeyCount, 4)
	keys := make([]string, n)
	for i := range keys {
		keys[i] = strconv.Itoa(i)
	}
	return keys
}

// Client implements Workload.
func (w kafka) Client(client int, seed int64) Generator {
	g := &kafkaGen{vals: newUniqueInts(client, w.opts.Clients), r: rng(seed, client), keys: w.keys(), offsets: map[string]int64{}}
	for _, k := range g.keys {
		g.offsets[k] = 0
	}
	return g
}

// kafkaGen is one Kafka client: its next poll offset per key and the
// offsets it polled but has not committed yet.
type kafkaGen struct {
	vals    *uniqueInts
	r       *rand.Rand
	keys    []string
	offsets map[string]int64
	commit  map[string]int64
}

// Next implements Generator: a pending commit first; else 5% re-assigns,
// and sends and polls in equal parts.
func (g *kafkaGen) Next() Request {
	if g.commit != nil {
		args, _ := json.Marshal(map[string]any{"offsets": g.commit})
		g.commit = nil
		return Request{F: "commit_offsets", Args: args}
	}
	switch p := g.r.IntN(100); {
	case p < 5:
		args, _ := json.Marshal(map[string]any{"keys": g.keys})
		return Request{F: "list_committed_offsets", Args: args}
	case p < 52:
		k := g.keys[g.r.IntN(len(g.keys))]
		return Request{F: "send", Args: fmt.Appendf(nil, `{"key":%q,"msg":%d}`, k, g.vals.take())}
	}
	args, _ := json.Marshal(map[string]any{"offsets": g.offsets})
	return Request{F: "poll", Args: args}
}

// Update implements Generator: a poll moves the offsets past what it
// read and queues their commit; a listing moves them to the committed
// offsets.
func (g *kafkaGen) Update(req Request, reply []byte, err error) {
	if err != nil {
		return
	}
	switch req.F {
	case "poll":
		msgs, derr := decodeMsgs(string(reply))
		if derr != nil {
			return
		}
		for k, pairs := range msgs {
			if _, ours := g.offsets[k]; !ours || len(pairs) == 0 {
				continue
			}
			hi := pairs[len(pairs)-1].offset
			for _, p := range pairs {
				hi = max(hi, p.offset)
			}
			g.offsets[k] = max(g.offsets[k], hi+1)
			if g.commit == nil {
				g.commit = map[string]int64{}
			}
			g.commit[k] = hi
		}
	case "list_committed_offsets":
		committed, derr := decodeOffsets(string(reply))
		if derr != nil {
			return
		}
		for k, c := range committed {
			if _, ours := g.offsets[k]; ours && c >= 0 {
				g.offsets[k] = c
			}
		}
	}
}

// Final implements Workload: each node is polled for every key from
// offset 0 until a poll returns nothing (at most maxFinalPolls polls); a
// node whose poll fails is left.
func (w kafka) Final(ctx context.Context, nodes []string, inv backend.Invoker) error {
	for _, n := range nodes {
		offsets := map[string]int64{}
		for _, k := range w.keys() {
			offsets[k] = 0
		}
		for range maxFinalPolls {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			args, _ := json.Marshal(map[string]any{"offsets": offsets})
			reply, err := inv.Invoke(ctx, n, "poll", args)
			if err != nil {
				break
			}
			msgs, err := decodeMsgs(string(reply))
			if err != nil {
				break
			}
			moved := false
			next := maps.Clone(offsets)
			for k, pairs := range msgs {
				for _, p := range pairs {
					if _, ours := next[k]; ours && p.offset+1 > next[k] {
						next[k], moved = p.offset+1, true
					}
				}
			}
			if !moved {
				break
			}
			offsets = next
		}
	}
	return ctx.Err()
}

// Judge implements Workload: a duplicated send may be appended twice,
// which the check would report as the node's duplicate.
func (w kafka) Judge(f Fault) error { return judge(w.name, f, false) }

// Check implements Workload with checkKafka.
func (w kafka) Check(_ context.Context, run Run) checker.Result { return checkKafka(run) }
