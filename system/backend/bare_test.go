package backend

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// TestRunBareCountsEveryOp: every client runs its own script over and
// over with its own value, an RMW is a Get then a Put counted once, and
// errors are counted, definite ones apart.
func TestRunBareCountsEveryOp(t *testing.T) {
	var gets, puts, appends atomic.Int64
	calls := make([]BareCall, 2)
	for i := range calls {
		calls[i] = func(ctx context.Context, kind BareKind, key, value string) error {
			if _, ok := ctx.Deadline(); !ok {
				return errors.New("op without a timeout")
			}
			switch kind {
			case BareGet:
				gets.Add(1)
				if key == "bad" {
					return fmt.Errorf("%w: refused", ErrDefinite)
				}
			case BarePut:
				puts.Add(1)
				if value != fmt.Sprintf("v%d", i) {
					return fmt.Errorf("client %d wrote %q", i, value)
				}
			case BareAppend:
				appends.Add(1)
				return errors.New("timeout")
			}
			return nil
		}
	}
	spec := BareSpec{
		Scripts: [][]BareOp{
			{{Kind: BareRMW, Key: "k"}, {Kind: BareGet, Key: "bad"}},
			{{Kind: BareAppend, Key: "k"}},
		},
		Values: []string{"v0", "v1"}, Duration: 20 * time.Millisecond, Timeout: time.Second,
	}
	res, err := RunBare(context.Background(), spec, calls, nil)
	if err != nil {
		t.Fatal(err)
	}
	ops, errs, definite := res.Total()
	if res.Ops[0] < 2 || res.Ops[1] < 1 || res.Elapsed < spec.Duration || res.OpsPerSec() <= 0 {
		t.Fatalf("result %+v", res)
	}
	if res.Errors[1] != res.Ops[1] || res.Definite[1] != 0 || res.Definite[0] != res.Errors[0] || res.Errors[0] != res.Ops[0]/2 {
		t.Fatalf("errors %v definite %v for ops %v", res.Errors, res.Definite, res.Ops)
	}
	if ops != res.Ops[0]+res.Ops[1] || errs != res.Errors[0]+res.Errors[1] || definite != res.Definite[0] {
		t.Fatalf("totals %d %d %d for %+v", ops, errs, definite, res)
	}
	if appends.Load() != res.Ops[1] || puts.Load() != (res.Ops[0]+1)/2 || gets.Load() != res.Ops[0] {
		t.Fatalf("calls: %d gets, %d puts, %d appends for ops %v", gets.Load(), puts.Load(), appends.Load(), res.Ops)
	}
}

// TestBareSpecValidate names what is missing.
func TestBareSpecValidate(t *testing.T) {
	ok := BareSpec{Scripts: [][]BareOp{{{Kind: BareGet, Key: "k"}}}, Values: []string{"v"}, Duration: time.Second, Timeout: time.Second}
	for _, tc := range []struct {
		name string
		mut  func(*BareSpec)
		want string
	}{
		{"no scripts", func(s *BareSpec) { s.Scripts, s.Values = nil, nil }, "no scripts"},
		{"values", func(s *BareSpec) { s.Values = nil }, "0 values for 1 scripts"},
		{"duration", func(s *BareSpec) { s.Duration = 0 }, "Duration = 0s"},
		{"timeout", func(s *BareSpec) { s.Timeout = -1 }, "Timeout = -1ns"},
		{"empty script", func(s *BareSpec) { s.Scripts = [][]BareOp{{}} }, "script 0 is empty"},
	} {
		s := ok
		tc.mut(&s)
		if err := s.Validate(); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: %v, want %q", tc.name, err, tc.want)
		}
	}
	if err := ok.Validate(); err != nil {
		t.Fatal(err)
	}
	if _, err := RunBare(context.Background(), ok, nil, nil); err == nil {
		t.Fatal("RunBare accepted 0 calls for 1 script")
	}
}

// TestPoolSharesSlots: client id uses slot id mod size (0 for a negative
// id), each slot is made once, Close closes what was made, and a closed
// pool refuses.
func TestPoolSharesSlots(t *testing.T) {
	made, closed := 0, 0
	p := NewPool(3, func(k int) (*int, error) { made++; v := k; return &v, nil }, func(*int) error { closed++; return nil })
	a, _ := p.Get(1)
	b, _ := p.Get(4)
	c, _ := p.Get(-7)
	if a != b || *a != 1 || *c != 0 || made != 2 || p.Size() != 3 {
		t.Fatalf("slots %d %d %d, made %d", *a, *b, *c, made)
	}
	if err := p.Close(); err != nil || closed != 2 {
		t.Fatalf("close: %v, closed %d", err, closed)
	}
	if _, err := p.Get(0); err == nil {
		t.Fatal("a closed pool handed out a slot")
	}
	if err := p.Close(); err != nil || closed != 2 {
		t.Fatal("second Close closed again")
	}
	failing := NewPool(1, func(int) (int, error) { return 0, errors.New("dial") }, func(int) error { return nil })
	if _, err := failing.Get(0); err == nil {
		t.Fatal("a failed make was handed out")
	}
}

// TestConnsOption accepts 1 to MaxConns, and the default when absent.
func TestConnsOption(t *testing.T) {
	for _, v := range []string{"0", "-2", "x", "1025", ""} {
		if _, err := ConnsOption("b", map[string]string{"conns": v}, 3); err == nil || !strings.Contains(err.Error(), "b: option conns") {
			t.Errorf("%q: %v", v, err)
		}
	}
	if n, err := ConnsOption("b", map[string]string{"conns": "16"}, 3); n != 16 || err != nil {
		t.Fatalf("16: %d %v", n, err)
	}
	if n, err := ConnsOption("b", nil, 3); n != 3 || err != nil {
		t.Fatalf("default: %d %v", n, err)
	}
}
