package checker

import (
	"errors"
	"fmt"
	"math"
	"runtime"
	"sort"
	"sync"
	"time"

	"faultline/workloads/history"
)

var (
	// ErrUnsupported is wrapped when a history holds an op kind the chosen
	// check cannot judge.
	ErrUnsupported = errors.New("unsupported op")
	// ErrBadHistory is wrapped when a history is malformed for the check
	// (times out of order, an append value that is not one token, a token
	// appended twice).
	ErrBadHistory = errors.New("malformed history")
)

// AppendOptions configures CheckAppend. The zero value is ready to use.
type AppendOptions struct {
	// MaxExamples bounds Result.Anomalies; 0 means 20.
	MaxExamples int
	// Workers is how many keys are checked at once; 0 means GOMAXPROCS.
	Workers int
}

// CheckAppend decides exactly whether an append history is linearizable,
// key by key, in O(n log n) time for n ops.
//
// Every append must write one unique token (history.Token); reads (get or
// read) return the concatenation of the tokens appended so far, starting
// from the empty value. Puts, writes and cas ops are rejected with
// ErrUnsupported. Failed ops must not appear in any read; info appends may
// or may not have happened; reads whose outcome is not ok are ignored.
//
// The result is Valid or Invalid, and Unknown only when there is nothing
// to check (no op). On Invalid, Counts gives
// each kind of anomaly and Anomalies explains examples in plain words, the
// smallest cycle first. The error is non-nil only for a history the check
// cannot judge.
func CheckAppend(ops []history.Op, opts AppendOptions) (Result, error) {
	start := time.Now()
	res := Result{Checker: "append"}
	if len(ops) > math.MaxInt32 {
		return res, fmt.Errorf("%w: %d ops is more than the checker indexes", ErrBadHistory, len(ops))
	}
	keys, byKey := partition(ops, func(op *history.Op) bool { return true })
	res.Keys = len(keys)

	results := make([]keyResult, len(keys))
	forEachKey(len(keys), opts.Workers, func(i int) {
		results[i] = checkAppendKey(keys[i], ops, byKey[keys[i]])
	})

	var examples []Anomaly
	var failing []string
	for i := range results {
		kr := &results[i]
		if kr.err != nil {
			return Result{}, kr.err
		}
		res.Ops += kr.ops
		res.Unread += kr.unread
		bad := false
		for k, n := range kr.counts {
			if n > 0 {
				res.count(AnomalyKind(k), n)
				bad = true
			}
		}
		if bad {
			res.KeysInvalid++
			failing = append(failing, kr.key)
			examples = append(examples, kr.examples...)
		}
	}
	res.FailingKeys = listKeys(failing)
	res.Verdict = Valid
	if res.KeysInvalid > 0 {
		res.Verdict = Invalid
	}
	res.Anomalies = rankExamples(examples, opts.MaxExamples)
	res.judgedNothing(len(ops))
	res.Elapsed = time.Since(start)
	return res, nil
}

// rankExamples orders examples with the smallest cycle first (then earliest),
// impossible values after the cycles, and keeps at most max (0: 20).
func rankExamples(ex []Anomaly, max int) []Anomaly {
	if max <= 0 {
		max = 20
	}
	sort.SliceStable(ex, func(i, j int) bool {
		a, b := &ex[i], &ex[j]
		if a.cycle != b.cycle {
			return a.cycle
		}
		if a.cycle && len(a.Steps) != len(b.Steps) {
			return len(a.Steps) < len(b.Steps)
		}
		if a.Kind != b.Kind {
			return a.Kind < b.Kind
		}
		if a.at != b.at {
			return a.at < b.at
		}
		return a.Key < b.Key
	})
	if len(ex) > max {
		ex = ex[:max]
	}
	return ex
}

// partition groups the indexes of the ops that keep accepts by key; keys
// come back sorted.
func partition(ops []history.Op, keep func(op *history.Op) bool) ([]string, map[string][]int32) {
	byKey := make(map[string][]int32)
	for i := range ops {
		if keep(&ops[i]) {
			byKey[ops[i].Key] = append(byKey[ops[i].Key], int32(i))
		}
	}
	keys := make([]string, 0, len(byKey))
	for k := range byKey {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys, byKey
}

// forEachKey runs f(0..n-1) on up to workers goroutines (0: GOMAXPROCS).
func forEachKey(n, workers int, f func(i int)) {
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	if workers > n {
		workers = n
	}
	if workers <= 1 {
		for i := range n {
			f(i)
		}
		return
	}
	next := make(chan int)
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				f(i)
			}
		}()
	}
	for i := range n {
		next <- i
	}
	close(next)
	wg.Wait()
}
