package checker

import (
	"testing"

	"github.com/anishathalye/porcupine"

	"faultline/workloads/history"
)

// TestKVModelFixtures checks the KV model itself on small known-good and
// known-bad histories, so that a passing check means something.
func TestKVModelFixtures(t *testing.T) {
	op := func(cli int, in Input, out string, call, ret int64) porcupine.Operation {
		return porcupine.Operation{ClientId: cli, Input: in, Output: out, Call: call, Return: ret}
	}
	put := func(k, v string) Input { return Input{Kind: history.Put, Key: k, Value: v} }
	app := func(k, v string) Input { return Input{Kind: history.Append, Key: k, Value: v} }
	get := func(k string) Input { return Input{Kind: history.Get, Key: k} }
	unknown := func(in Input) Input { in.Unknown = true; return in }
	cases := []struct {
		name string
		ops  []porcupine.Operation
		ok   bool
	}{
		{"sequential", []porcupine.Operation{
			op(0, put("a", "1"), "", 0, 1),
			op(0, app("a", "2"), "", 2, 3),
			op(1, get("a"), "12", 4, 5),
		}, true},
		{"stale read", []porcupine.Operation{
			op(0, put("a", "1"), "", 0, 1),
			op(1, get("a"), "", 2, 3),
		}, false},
		{"fresh read", []porcupine.Operation{
			op(0, put("a", "1"), "", 0, 10),
			op(1, get("a"), "1", 20, 30),
		}, true},
		{"concurrent read may see either", []porcupine.Operation{
			op(0, put("a", "1"), "", 0, 10),
			op(1, get("a"), "", 2, 3),
			op(2, get("a"), "1", 4, 5),
		}, true},
		{"read goes back in time", []porcupine.Operation{
			op(0, put("a", "1"), "", 0, 10),
			op(1, get("a"), "1", 2, 3),
			op(2, get("a"), "", 4, 5),
		}, false},
		{"append applied twice", []porcupine.Operation{
			op(0, app("a", "x"), "", 0, 1),
			op(1, get("a"), "xx", 2, 3),
		}, false},
		{"unknown append may land late", []porcupine.Operation{
			op(0, unknown(app("a", "x")), "", 0, 100),
			op(1, get("a"), "", 2, 3),
			op(1, get("a"), "x", 4, 5),
		}, true},
		{"keys are independent", []porcupine.Operation{
			op(0, put("a", "1"), "", 0, 1),
			op(1, get("b"), "1", 2, 3),
		}, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := porcupine.CheckOperations(KVModel(), tc.ops); got != tc.ok {
				t.Fatalf("linearizable = %v, want %v", got, tc.ok)
			}
		})
	}
}
