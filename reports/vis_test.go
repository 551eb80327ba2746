package reports

import (
	"os"
	"testing"

	"github.com/anishathalye/porcupine"
)

// writeVisualization writes a real porcupine visualization of a stale read
// on one register, annotated with a fault window, as the harness's
// checker does on a violation.
func writeVisualization(t testing.TB, path string) {
	t.Helper()
	type in struct {
		write bool
		v     int
	}
	model := porcupine.Model{
		Init: func() any { return 0 },
		Step: func(state, input, output any) (bool, any) {
			i := input.(in)
			if i.write {
				return true, i.v
			}
			return output.(int) == state.(int), state
		},
		DescribeOperation: func(input, output any) string {
			if i := input.(in); i.write {
				return "write(" + itoa(i.v) + ")"
			}
			return "read() -> " + itoa(output.(int))
		},
	}
	ops := []porcupine.Operation{
		{ClientId: 0, Input: in{write: true, v: 1}, Call: 0, Output: 0, Return: 100},
		{ClientId: 1, Input: in{}, Call: 200, Output: 0, Return: 300}, // stale
	}
	res, info := porcupine.CheckOperationsVerbose(model, ops, 0)
	if res != porcupine.Illegal {
		t.Fatalf("fixture history is %v, want illegal", res)
	}
	info.AddAnnotations([]porcupine.Annotation{{Tag: "fault", Start: 50, End: 250, Description: "partition",
		Details: "isolate n0", BackgroundColor: "#f4cccc"}})
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := porcupine.Visualize(model, info, f); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
}
