package checker

import (
	"fmt"
	"io"
	"math"
	"sort"
	"time"

	"github.com/anishathalye/porcupine"

	"faultline/workloads/history"
)

// PorcupineOptions configures CheckKV and CheckRegister. Zero durations mean
// no limit.
type PorcupineOptions struct {
	// KeyTimeout limits the search on each key. A key that runs out of time
	// is Unknown, and so is the whole result unless another key is Invalid.
	KeyTimeout time.Duration
	// Timeout limits the whole check; keys not finished by then are Unknown.
	Timeout time.Duration
	// Workers is how many keys are searched at once; 0 means GOMAXPROCS.
	Workers int
	// Visualization, if set, receives porcupine's HTML visualization of the
	// first (by name) key found not linearizable.
	Visualization io.Writer
	// VisualizationPath, if set, is a file to write that visualization to;
	// Result.Visualization then holds the path.
	VisualizationPath string
	// Events are drawn as fault windows in the visualization.
	Events []history.Event
	// MaxExamples bounds Result.Anomalies; 0 means 20.
	MaxExamples int
}

// CheckKV checks a key/value history (get, put, append) for linearizability
// with porcupine and KVModel, key by key. Failed ops are dropped; info puts
// and appends may take effect at any time after their invocation (porcupine
// sees them return at +infinity); info gets are dropped. The verdict is
// Unknown when a time limit stops the search before any key is found
// Invalid. The error reports an unsupported op kind or a failure to write the
// visualization (the Result is still complete then). A history with no op
// left to judge is Unknown: nothing to check.
func CheckKV(ops []history.Op, opts PorcupineOptions) (Result, error) {
	return checkFlat(CheckKeyedKV, ops, opts)
}

// CheckRegister checks a register history (read, write, cas) for
// linearizability with porcupine and RegisterModel, key by key, as CheckKV
// does. A cas whose comparison failed must be recorded as fail.
func CheckRegister(ops []history.Op, opts PorcupineOptions) (Result, error) {
	return checkFlat(CheckKeyedRegister, ops, opts)
}

// CheckKeyedKV is CheckKV on a history already split by key (as
// history.ReadKeyed reads it).
func CheckKeyedKV(k *history.Keyed, opts PorcupineOptions) (Result, error) {
	return checkModel("kv", KVModel(), map[history.Kind]bool{history.Get: true, history.Put: true, history.Append: true}, k, opts)
}

// CheckKeyedRegister is CheckRegister on a history already split by key.
func CheckKeyedRegister(k *history.Keyed, opts PorcupineOptions) (Result, error) {
	return checkModel("register", RegisterModel(), map[history.Kind]bool{history.Read: true, history.Write: true, history.CAS: true}, k, opts)
}

// checkFlat splits ops by key and checks them with check.
func checkFlat(check func(*history.Keyed, PorcupineOptions) (Result, error), ops []history.Op, opts PorcupineOptions) (Result, error) {
	k, err := history.Split(ops, nil)
	if err != nil {
		return Result{}, fmt.Errorf("%w: %w", ErrBadHistory, err)
	}
	return check(k, opts)
}

// keepForPorcupine drops ops that constrain nothing: failed ops, and reads
// whose result is unknown.
func keepForPorcupine(op *history.Op) bool {
	return op.Outcome != history.Fail && (op.Outcome == history.OK || !op.Kind.Reads())
}

// toPorcupine converts the ops of part that keepForPorcupine keeps; with
// meta, each operation's Metadata is its index in part.Ops.
func toPorcupine(part *history.Part, meta bool) []porcupine.Operation {
	clients := map[int]int{}
	out := make([]porcupine.Operation, 0, len(part.Ops))
	for j := range part.Ops {
		op := &part.Ops[j]
		if !keepForPorcupine(op) {
			continue
		}
		cid, ok := clients[op.Client]
		if !ok {
			cid = len(clients)
			clients[op.Client] = cid
		}
		in := Input{Kind: op.Kind, Key: op.Key, Value: op.Value, Expect: op.Expect}
		ret := op.Complete
		if op.Outcome != history.OK {
			in.Unknown = true
			ret = math.MaxInt64
		}
		pop := porcupine.Operation{ClientId: cid, Input: in, Call: op.Invoke, Output: op.Output, Return: ret}
		if meta {
			pop.Metadata = j
		}
		out = append(out, pop)
	}
	return out
}

// kept counts the ops of part that keepForPorcupine keeps.
func kept(part *history.Part) int {
	n := 0
	for j := range part.Ops {
		if keepForPorcupine(&part.Ops[j]) {
			n++
		}
	}
	return n
}

// checkKinds returns the error about the first op (in history order) whose
// kind the check does not take or whose times are out of order.
func checkKinds(name string, kinds map[history.Kind]bool, k *history.Keyed) error {
	first, err := int32(math.MaxInt32), error(nil)
	for pi := range k.Parts {
		p := &k.Parts[pi]
		for j := range p.Ops {
			op, at := &p.Ops[j], p.At[j]
			if at >= first {
				break // p.At rises: no earlier op in this part
			}
			switch {
			case !kinds[op.Kind]:
				first, err = at, fmt.Errorf("%w: op %d is a %s; the %s check takes only %s", ErrUnsupported, at, op.Kind, name, kindList(kinds))
			case op.Complete < op.Invoke:
				first, err = at, fmt.Errorf("%w: op %d completes at %d before its invocation at %d", ErrBadHistory, at, op.Complete, op.Invoke)
			default:
				continue
			}
			break
		}
	}
	return err
}

func checkModel(name string, model porcupine.Model, kinds map[history.Kind]bool, k *history.Keyed, opts PorcupineOptions) (Result, error) {
	start := time.Now()
	res := Result{Checker: name}
	if err := checkKinds(name, kinds, k); err != nil {
		return res, err
	}
	model.Partition = nil // keys are split here, one porcupine call each

	// The keys with an op left to judge, in key order.
	var parts []*history.Part
	var sizes []int
	for i := range k.Parts {
		if n := kept(&k.Parts[i]); n > 0 {
			parts = append(parts, &k.Parts[i])
			sizes = append(sizes, n)
		}
	}
	res.Keys = len(parts)
	var deadline time.Time
	if opts.Timeout > 0 {
		deadline = start.Add(opts.Timeout)
	}
	verdicts := make([]porcupine.CheckResult, len(parts))
	skipped := make([]bool, len(parts))
	forEachKey(len(parts), opts.Workers, func(i int) {
		limit := opts.KeyTimeout
		if !deadline.IsZero() {
			rem := time.Until(deadline)
			if rem <= 0 {
				verdicts[i], skipped[i] = porcupine.Unknown, true
				return
			}
			if limit == 0 || rem < limit {
				limit = rem
			}
		}
		verdicts[i] = porcupine.CheckOperationsTimeout(model, toPorcupine(parts[i], false), limit)
	})

	var failing, unknown []string
	var firstFailing *history.Part
	var examples []Anomaly
	nSkipped := 0
	for i, p := range parts {
		res.Ops += sizes[i]
		switch verdicts[i] {
		case porcupine.Illegal:
			if firstFailing == nil {
				firstFailing = p
			}
			failing = append(failing, p.Key)
			examples = append(examples, Anomaly{
				Kind: NonLinearizable, Key: p.Key, at: int64(i),
				Text: fmt.Sprintf("porcupine found no linearization of the %s on key %q", plural(sizes[i], "op"), p.Key),
			})
		case porcupine.Unknown:
			unknown = append(unknown, p.Key)
			if skipped[i] {
				nSkipped++
			}
		}
	}
	res.KeysInvalid, res.KeysUnknown = len(failing), len(unknown)
	res.count(NonLinearizable, len(failing))
	res.FailingKeys, res.UnknownKeys = listKeys(failing), listKeys(unknown)
	res.Anomalies = rankExamples(examples, opts.MaxExamples)
	switch {
	case len(failing) > 0:
		res.Verdict = Invalid
	case len(unknown) > 0:
		res.Verdict = Unknown
		res.Reason = fmt.Sprintf("%d of %d keys undecided within the time limits (per key %v, overall %v; %d never started)",
			len(unknown), len(parts), limitText(opts.KeyTimeout), limitText(opts.Timeout), nSkipped)
	default:
		res.Verdict = Valid
	}
	res.judgedNothing(k.Ops)
	var err error
	if firstFailing != nil && (opts.Visualization != nil || opts.VisualizationPath != "") {
		err = visualize(model, firstFailing, &res, opts)
	}
	res.Elapsed = time.Since(start)
	return res, err
}

func limitText(d time.Duration) string {
	if d <= 0 {
		return "none"
	}
	return d.String()
}

func kindList(kinds map[history.Kind]bool) string {
	var names []string
	for k := range kinds {
		names = append(names, k.String())
	}
	sort.Strings(names)
	return fmt.Sprint(names)
}
