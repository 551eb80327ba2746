package kvcheck

import (
	"testing"

	"github.com/anishathalye/porcupine"
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

func TestModelCatchesStaleRead(t *testing.T) {
	ops := []porcupine.Operation{
		{ClientId: 0, Input: Input{Kind: Put, Key: "a", Value: "1"}, Output: Output{}, Call: 0, Return: 10},
		{ClientId: 1, Input: Input{Kind: Get, Key: "a"}, Output: Output{Value: ""}, Call: 20, Return: 30},
	}
	if res := porcupine.CheckOperations(Model, ops); res {
		t.Fatal("stale read accepted")
	}
	ops[1].Output = Output{Value: "1"}
	if res := porcupine.CheckOperations(Model, ops); !res {
		t.Fatal("fresh read rejected")
	}
}
