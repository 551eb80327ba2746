package kvraft

import (
	"testing"

	"github.com/anishathalye/porcupine"
)

// TestKVModelFixtures checks the test model itself on small known-good and
// known-bad histories, so that a passing scenario means something.
func TestKVModelFixtures(t *testing.T) {
	op := func(cli int, in kvInput, out kvOutput, call, ret int64) porcupine.Operation {
		return porcupine.Operation{ClientId: cli, Input: in, Output: out, Call: call, Return: ret}
	}
	put := func(k, v string) kvInput { return kvInput{op: OpPut, key: k, value: v} }
	app := func(k, v string) kvInput { return kvInput{op: OpAppend, key: k, value: v} }
	get := func(k string) kvInput { return kvInput{op: OpGet, key: k} }
	cases := []struct {
		name string
		ops  []porcupine.Operation
		ok   bool
	}{
		{"sequential", []porcupine.Operation{
			op(0, put("a", "1"), kvOutput{}, 0, 1),
			op(0, app("a", "2"), kvOutput{}, 2, 3),
			op(1, get("a"), kvOutput{value: "12"}, 4, 5),
		}, true},
		{"stale read", []porcupine.Operation{
			op(0, put("a", "1"), kvOutput{}, 0, 1),
			op(1, get("a"), kvOutput{value: ""}, 2, 3),
		}, false},
		{"concurrent read may see either", []porcupine.Operation{
			op(0, put("a", "1"), kvOutput{}, 0, 10),
			op(1, get("a"), kvOutput{value: ""}, 2, 3),
			op(2, get("a"), kvOutput{value: "1"}, 4, 5),
		}, true},
		{"read goes back in time", []porcupine.Operation{
			op(0, put("a", "1"), kvOutput{}, 0, 10),
			op(1, get("a"), kvOutput{value: "1"}, 2, 3),
			op(2, get("a"), kvOutput{value: ""}, 4, 5),
		}, false},
		{"append applied twice", []porcupine.Operation{
			op(0, app("a", "x"), kvOutput{}, 0, 1),
			op(1, get("a"), kvOutput{value: "xx"}, 2, 3),
		}, false},
		{"unknown append may land late", []porcupine.Operation{
			op(0, app("a", "x"), kvOutput{unknown: true}, 0, 100),
			op(1, get("a"), kvOutput{value: ""}, 2, 3),
			op(1, get("a"), kvOutput{value: "x"}, 4, 5),
		}, true},
		{"keys are independent", []porcupine.Operation{
			op(0, put("a", "1"), kvOutput{}, 0, 1),
			op(1, get("b"), kvOutput{value: "1"}, 2, 3),
		}, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := porcupine.CheckOperations(kvModel, tc.ops); got != tc.ok {
				t.Fatalf("linearizable = %v, want %v", got, tc.ok)
			}
		})
	}
}

func TestBoundUnknown(t *testing.T) {
	ops := []porcupine.Operation{
		{Input: kvInput{op: OpAppend, key: "a", value: "x"}, Output: kvOutput{unknown: true}, Call: 0, Return: 1},
		{Input: kvInput{op: OpAppend, key: "a", value: "y"}, Output: kvOutput{unknown: true}, Call: 0, Return: 1},
		{Input: kvInput{op: OpGet, key: "a"}, Output: kvOutput{value: "x"}, Call: 5, Return: 9},
		{Input: kvInput{op: OpGet, key: "a"}, Output: kvOutput{value: "x"}, Call: 3, Return: 7},
		{Input: kvInput{op: OpGet, key: "b"}, Output: kvOutput{value: "y"}, Call: 3, Return: 4},
	}
	got := boundUnknown(ops)
	if len(got) != 4 {
		t.Fatalf("kept %d ops, want 4 (the unobserved append dropped)", len(got))
	}
	if got[0].Input.(kvInput).value != "x" || got[0].Return != 7 {
		t.Fatalf("observed append = %+v, want return 7", got[0])
	}
}
