package reports

import (
	"bytes"
	"testing"
	"unicode/utf8"

	"faultline/workloads/history"
	"faultline/workloads/results"
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

// FuzzSequence checks that any journal the reader accepts lays out within
// the diagram's bounds: steps in range, deliveries after sends, lanes and
// labels bounded.
func FuzzSequence(f *testing.F) {
	f.Add([]byte(`{"src":"c1","dest":"n0","type":"echo","msg_id":1,"sent_ns":1,"delivered_ns":2}` + "\n" +
		`{"src":"n0","dest":"n0","type":"self","sent_ns":2,"delivered_ns":2}` + "\n" +
		`{"src":"n0","dest":"x","type":"gossip","sent_ns":5,"delivered_ns":-1,"dropped":"partition","duplicate":true}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		var es []results.JournalEntry
		jr := results.NewJournalReader(bytes.NewReader(b), 0, 2000)
		for {
			e, err := jr.Read()
			if err != nil {
				break
			}
			es = append(es, e)
		}
		s := layoutSequence(es, []Window{{Kind: "partition", Start: 0, Stop: 1e-9}})
		if len(s.Lanes) > MaxSequenceLanes || s.Drawn > MaxSequenceMessages || len(s.Arrows) != s.Drawn {
			t.Fatalf("%d lanes, %d arrows drawn", len(s.Lanes), s.Drawn)
		}
		for _, a := range s.Arrows {
			if a.From < 0 || a.From >= len(s.Lanes) || a.To < 0 || a.To >= len(s.Lanes) ||
				a.Send < 0 || a.Send >= s.Steps || a.Recv >= s.Steps || (a.Recv >= 0 && a.Recv <= a.Send) ||
				utf8.RuneCountInString(a.Label) > maxLabel || (a.Recv < 0) != (a.Drop != "") {
				t.Fatalf("arrow %+v of %d steps, %d lanes", a, s.Steps, len(s.Lanes))
			}
		}
		for _, w := range s.Windows {
			if w.From < 0 || w.To >= s.Steps || w.From > w.To {
				t.Fatalf("window %+v of %d steps", w, s.Steps)
			}
		}
	})
}
