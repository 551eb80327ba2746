package kvcheck

import (
	"testing"

	"github.com/anishathalye/porcupine"

	"faultline/workloads/checker"
	"faultline/workloads/history"
)

func TestAppendsVerify(t *testing.T) {
	a := NewAppends()
	a.Add("k", 1, 0, true)
	a.Add("k", 1, 1, false)
	a.Add("k", 2, 0, true)
	for _, c := range []struct {
		v  string
		ok bool
	}{
		{Token(1, 0) + Token(2, 0), true},
		{Token(2, 0) + Token(1, 0) + Token(1, 1), true},
		{Token(1, 0), false},                             // lost acked append
		{Token(1, 0) + Token(1, 0) + Token(2, 0), false}, // duplicate
		{Token(1, 1) + Token(1, 0) + Token(2, 0), false}, // out of order
		{Token(1, 0) + Token(2, 0) + Token(1, 1) + Token(1, 1), false},
	} {
		if err := a.verify("k", c.v); (err == nil) != c.ok {
			t.Errorf("verify(%q) = %v, want ok=%v", c.v, err, c.ok)
		}
	}
}

func TestBoundUnknown(t *testing.T) {
	app := func(v string) checker.Input {
		return checker.Input{Kind: history.Append, Key: "a", Value: v, Unknown: true}
	}
	get := func(k string) checker.Input { return checker.Input{Kind: history.Get, Key: k} }
	ops := []porcupine.Operation{
		{Input: app("x"), Output: "", Call: 0, Return: 1},
		{Input: app("y"), Output: "", Call: 0, Return: 1},
		{Input: get("a"), Output: "x", Call: 5, Return: 9},
		{Input: get("a"), Output: "x", Call: 3, Return: 7},
		{Input: get("b"), Output: "y", Call: 3, Return: 4},
	}
	got := boundUnknown(ops)
	if len(got) != 4 {
		t.Fatalf("kept %d ops, want 4 (the unobserved append dropped)", len(got))
	}
	if got[0].Input.(checker.Input).Value != "x" || got[0].Return != 7 {
		t.Fatalf("observed append = %+v, want return 7", got[0])
	}
}
