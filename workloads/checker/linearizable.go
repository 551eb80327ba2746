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
	return checkModel("kv", KVModel(), map[history.Kind]bool{history.Get: true, history.Put: true, history.Append: true}, ops, opts)
}

// CheckRegister checks a register history (read, write, cas) for
// linearizability with porcupine and RegisterModel, key by key, as CheckKV
// does. A cas whose comparison failed must be recorded as fail.
func CheckRegister(ops []history.Op, opts PorcupineOptions) (Result, error) {
	return checkModel("register", RegisterModel(), map[history.Kind]bool{history.Read: true, history.Write: true, history.CAS: true}, ops, opts)
}

// keepForPorcupine drops ops that constrain nothing: failed ops, and reads
// whose result is unknown.
func keepForPorcupine(op *history.Op) bool {
	return op.Outcome != history.Fail && (op.Outcome == history.OK || !op.Kind.Reads())
}

// toPorcupine converts one key's ops.
func toPorcupine(ops []history.Op, idx []int32) []porcupine.Operation {
	clients := map[int]int{}
	out := make([]porcupine.Operation, len(idx))
	for j, i := range idx {
		op := &ops[i]
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
		out[j] = porcupine.Operation{ClientId: cid, Input: in, Call: op.Invoke, Output: op.Output, Return: ret, Metadata: int(i)}
	}
	return out
}

func checkModel(name string, model porcupine.Model, kinds map[history.Kind]bool, ops []history.Op, opts PorcupineOptions) (Result, error) {
	start := time.Now()
	res := Result{Checker: name}
	if len(ops) > math.MaxInt32 {
		return res, fmt.Errorf("%w: %d ops is more than the checker indexes", ErrBadHistory, len(ops))
	}
	for i := range ops {
		op := &ops[i]
		if !kinds[op.Kind] {
			return res, fmt.Errorf("%w: op %d is a %s; the %s check takes only %s", ErrUnsupported, i, op.Kind, name, kindList(kinds))
		}
		if op.Complete < op.Invoke {
			return res, fmt.Errorf("%w: op %d completes at %d before its invocation at %d", ErrBadHistory, i, op.Complete, op.Invoke)
		}
	}
	model.Partition = nil // keys are split here, one porcupine call each
	model.DescribeOperationMetadata = func(m any) string {
		if m == nil {
			return ""
		}
		op := &ops[m.(int)]
		s := fmt.Sprintf("op %d, client %d, %s", m.(int), op.Client, op.Outcome)
		if op.Node != "" {
			s += ", node " + op.Node
		}
		if op.Error != "" {
			s += ", " + op.Error
		}
		return s
	}

	keys, byKey := partition(ops, keepForPorcupine)
	res.Keys = len(keys)
	var deadline time.Time
	if opts.Timeout > 0 {
		deadline = start.Add(opts.Timeout)
	}
	verdicts := make([]porcupine.CheckResult, len(keys))
	skipped := make([]bool, len(keys))
	forEachKey(len(keys), opts.Workers, func(i int) {
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
		verdicts[i] = porcupine.CheckOperationsTimeout(model, toPorcupine(ops, byKey[keys[i]]), limit)
	})

	var failing, unknown []string
	var examples []Anomaly
	nSkipped := 0
	for i, k := range keys {
		res.Ops += len(byKey[k])
		switch verdicts[i] {
		case porcupine.Illegal:
			failing = append(failing, k)
			examples = append(examples, Anomaly{
				Kind: NonLinearizable, Key: k, at: int64(i),
				Text: fmt.Sprintf("porcupine found no linearization of the %s on key %q", plural(len(byKey[k]), "op"), k),
			})
		case porcupine.Unknown:
			unknown = append(unknown, k)
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
			len(unknown), len(keys), limitText(opts.KeyTimeout), limitText(opts.Timeout), nSkipped)
	default:
		res.Verdict = Valid
	}
	res.judgedNothing(len(ops))
	var err error
	if len(failing) > 0 && (opts.Visualization != nil || opts.VisualizationPath != "") {
		err = visualize(model, ops, byKey[failing[0]], failing[0], &res, opts)
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
