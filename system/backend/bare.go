package backend

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"
)

// BareKind is the type of one op of a bare script.
type BareKind uint8

// Bare op kinds. BareRMW is a Get and then a Put of the same key, counted
// as one op (YCSB F), as the harness counts it.
const (
	BareGet BareKind = iota + 1
	BarePut
	BareAppend
	BareRMW
)

// BareOp is one op of a bare script: its kind and key. The value written
// is the client's (BareSpec.Values).
type BareOp struct {
	Kind BareKind
	Key  string
}

// BareSpec is the load of a bare loop: what the harness would issue, made
// by the harness's own generator beforehand, so that the loop itself only
// calls the backend's client library.
type BareSpec struct {
	// Scripts holds one op script per client; client i runs Scripts[i]
	// from the start, over and over, until Duration has passed.
	Scripts [][]BareOp
	// Values holds the value client i writes (Put, Append, the Put of an
	// RMW), index for index with Scripts.
	Values []string
	// Duration bounds the loop: no op starts after it.
	Duration time.Duration
	// Timeout bounds every op, as the harness's op timeout does.
	Timeout time.Duration
	// Conns, when > 0, runs the loop over a fresh pool of that many
	// connections, closed afterwards, instead of the cluster's own: how
	// the benchmarks choose a backend's default.
	Conns int
}

// Validate checks the spec's fields.
func (s BareSpec) Validate() error {
	switch {
	case len(s.Scripts) == 0:
		return errors.New("bare spec: no scripts")
	case len(s.Values) != len(s.Scripts):
		return fmt.Errorf("bare spec: %d values for %d scripts", len(s.Values), len(s.Scripts))
	case s.Duration <= 0:
		return fmt.Errorf("bare spec: Duration = %v, want > 0", s.Duration)
	case s.Timeout <= 0:
		return fmt.Errorf("bare spec: Timeout = %v, want > 0", s.Timeout)
	}
	for i, sc := range s.Scripts {
		if len(sc) == 0 {
			return fmt.Errorf("bare spec: script %d is empty", i)
		}
	}
	return nil
}

// BareResult is what a bare loop did.
type BareResult struct {
	// Ops counts the ops each client completed (errors included), Errors
	// those that failed, and Definite those whose error wraps ErrDefinite.
	Ops, Errors, Definite []int64
	// Elapsed is the loop's wall time, from its start until its last op
	// returned.
	Elapsed time.Duration
}

// Total is the number of ops of every client.
func (r BareResult) Total() (ops, errs, definite int64) {
	for i := range r.Ops {
		ops, errs, definite = ops+r.Ops[i], errs+r.Errors[i], definite+r.Definite[i]
	}
	return ops, errs, definite
}

// OpsPerSec is the throughput of the loop.
func (r BareResult) OpsPerSec() float64 {
	if r.Elapsed <= 0 {
		return 0
	}
	ops, _, _ := r.Total()
	return float64(ops) / r.Elapsed.Seconds()
}

// PowerBare is the Power of a Barer, which a Declarer names for a config's
// bare section to be accepted before any cluster starts.
const PowerBare Power = "bare"

// Barer is a Cluster that can drive itself with its own client library
// directly, in the thinnest closed loop (no history, no measurement but
// counts), through the same connections and sharing rule as its Clients:
// the yardstick the harness's own overhead is measured against.
type Barer interface {
	Bare(ctx context.Context, spec BareSpec) (BareResult, error)
}

// BareCall performs one Get, Put or Append of a bare loop for one client
// with the backend's own library; value is "" for a Get.
type BareCall func(ctx context.Context, kind BareKind, key, value string) error

// RunBare runs spec with one goroutine per client, each calling its own
// BareCall (calls[i] for client i) for op after op of its script, each op
// bounded by spec.Timeout, until spec.Duration has passed or ctx ends.
// isDefinite classifies an error as definite (nil: errors.Is ErrDefinite).
func RunBare(ctx context.Context, spec BareSpec, calls []BareCall, isDefinite func(error) bool) (BareResult, error) {
	if err := spec.Validate(); err != nil {
		return BareResult{}, err
	}
	if len(calls) != len(spec.Scripts) {
		return BareResult{}, fmt.Errorf("bare: %d calls for %d scripts", len(calls), len(spec.Scripts))
	}
	if isDefinite == nil {
		isDefinite = func(err error) bool { return errors.Is(err, ErrDefinite) }
	}
	n := len(spec.Scripts)
	res := BareResult{Ops: make([]int64, n), Errors: make([]int64, n), Definite: make([]int64, n)}
	start := time.Now()
	end := start.Add(spec.Duration)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			script, value, call := spec.Scripts[i], spec.Values[i], calls[i]
			for k := 0; ctx.Err() == nil && time.Now().Before(end); k++ {
				op := script[k%len(script)]
				err := bareOp(ctx, call, op, value, spec.Timeout)
				res.Ops[i]++
				if err != nil {
					res.Errors[i]++
					if isDefinite(err) {
						res.Definite[i]++
					}
				}
			}
		}()
	}
	wg.Wait()
	res.Elapsed = time.Since(start)
	return res, ctx.Err()
}

// bareOp runs one op of a script, an RMW as a Get and then a Put.
func bareOp(ctx context.Context, call BareCall, op BareOp, value string, timeout time.Duration) error {
	octx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	switch op.Kind {
	case BareGet:
		return call(octx, BareGet, op.Key, "")
	case BarePut, BareAppend:
		return call(octx, op.Kind, op.Key, value)
	case BareRMW:
		if err := call(octx, BareGet, op.Key, ""); err != nil {
			return err
		}
		return call(octx, BarePut, op.Key, value)
	}
	return fmt.Errorf("bare: op kind %d: %w", op.Kind, ErrUnsupported)
}

// KV is what a key/value client library offers the bare loop: Client
// without Close (the kvraft clerk is one as it is).
type KV interface {
	Get(ctx context.Context, key string) (string, error)
	Put(ctx context.Context, key, value string) error
	Append(ctx context.Context, key, value string) error
}

// KVCall adapts a KV to a BareCall.
func KVCall(kv KV) BareCall {
	return func(ctx context.Context, kind BareKind, key, value string) error {
		switch kind {
		case BareGet:
			_, err := kv.Get(ctx, key)
			return err
		case BarePut:
			return kv.Put(ctx, key, value)
		default:
			return kv.Append(ctx, key, value)
		}
	}
}

// BareOver is a cluster's Bare: client i calls the KV that kv makes for
// it over pool, the cluster's own pool own, or, when spec.Conns > 0, a
// fresh pool of spec.Conns made by fresh and closed when the loop ends.
// isDefinite classifies the library's errors (see RunBare).
func BareOver[T any](ctx context.Context, spec BareSpec, own *Pool[T], fresh func(conns int) *Pool[T],
	kv func(pool *Pool[T], i int) (KV, error), isDefinite func(error) bool) (BareResult, error) {
	pool := own
	if spec.Conns > 0 {
		pool = fresh(spec.Conns)
		defer pool.Close()
	}
	calls := make([]BareCall, len(spec.Scripts))
	for i := range calls {
		c, err := kv(pool, i)
		if err != nil {
			return BareResult{}, fmt.Errorf("bare: client %d: %w", i, err)
		}
		calls[i] = KVCall(c)
	}
	return RunBare(ctx, spec, calls, isDefinite)
}
