package reports

import (
	"bytes"
	"testing"

	"faultline/workloads/history"
)

// FuzzReadHistory checks that the history decoder never panics and that
// every op it accepts has ordered, non-negative times and a known outcome.
func FuzzReadHistory(f *testing.F) {
	f.Add([]byte(`{"type":"op","client":1,"kind":"get","key":"k","invoke":1,"complete":2,"outcome":"ok"}` + "\n" +
		`{"type":"event","kind":"partition","start":1,"stop":-1,"nodes":["n1"]}` + "\n"))
	f.Add([]byte("\n\n{\"type\":\"op\",\"outcome\":\"info\",\"invoke\":5,\"complete\":5}"))
	f.Add([]byte(`{"type":"x"}`))
	f.Add([]byte(`{"type":"op","invoke":9,"complete":1,"outcome":"fail"}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		err := readHistory(bytes.NewReader(b), func(o op) {
			if o.invoke < 0 || o.complete < o.invoke || o.outcome < outcomeOK || o.outcome > outcomeInfo {
				t.Fatalf("accepted op %+v", o)
			}
		}, func(history.Event) {})
		_ = err
	})
}
