package workloads

import "testing"

// FuzzParse: no input makes Parse panic, and every error it returns is a
// located list of FieldErrors.
func FuzzParse(f *testing.F) {
	f.Add([]byte("name: x\nworkload:\n  clients: 3\n"))
	f.Add([]byte("phases:\n  - name: a\n    duration: 1s\n    loop: open\n    rate: 5\n"))
	f.Add([]byte("workload:\n  kind: mapreduce\njob:\n  input: [a]\n"))
	f.Add([]byte("workload: [1, 2\n"))
	f.Add([]byte("faults:\n  - {kind: kill, every: 5s}\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		c, _, err := Parse("f.yaml", data)
		if err != nil {
			if len(Fields(err)) == 0 {
				t.Fatalf("error without FieldErrors: %v", err)
			}
			return
		}
		if err := c.Validate(); err != nil {
			t.Fatalf("Parse accepted a config that does not validate: %v", err)
		}
	})
}
