package results

import (
	"bytes"
	"errors"
	"io"
	"testing"
)

// FuzzReadJournal checks that the journal reader never panics, stops at
// its bounds, accepts only valid entries, and that what it accepts writes
// back and reads again unchanged.
func FuzzReadJournal(f *testing.F) {
	f.Add([]byte(`{"src":"c1","dest":"n0","type":"echo","msg_id":1,"sent_ns":1,"delivered_ns":2}` + "\n" +
		`{"src":"n0","dest":"n1","type":"gossip","sent_ns":5,"delivered_ns":-1,"dropped":"partition"}` + "\n"))
	f.Add([]byte("\n\r\n{\"src\":\"n0\",\"dest\":\"c1\",\"in_reply_to\":3,\"sent_ns\":0,\"delivered_ns\":0,\"duplicate\":true}"))
	f.Add([]byte(`{"src":"a","dest":"b","sent_ns":9,"delivered_ns":1}`))
	f.Add([]byte(`{"src":"a","dest":"b","sent_ns":1e3,"delivered_ns":-1,"x":[1,{}]}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		const maxLine, maxEntries = 512, 8
		r := NewJournalReader(bytes.NewReader(b), maxLine, maxEntries)
		var got []JournalEntry
		for {
			e, err := r.Read()
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				if !errors.Is(err, ErrJournal) {
					t.Fatalf("error %v does not wrap ErrJournal", err)
				}
				break
			}
			if verr := e.Validate(); verr != nil {
				t.Fatalf("accepted an invalid entry %+v: %v", e, verr)
			}
			got = append(got, e)
		}
		if len(got) > maxEntries {
			t.Fatalf("read %d entries past the bound %d", len(got), maxEntries)
		}
		var buf bytes.Buffer
		w := NewJournalWriter(&buf)
		for i := range got {
			if err := w.Write(&got[i]); err != nil {
				t.Fatalf("write back entry %d: %v", i, err)
			}
		}
		if err := w.Flush(); err != nil {
			t.Fatal(err)
		}
		r2 := NewJournalReader(&buf, 0, 0)
		for i := range got {
			e, err := r2.Read()
			if err != nil {
				t.Fatalf("read back entry %d: %v", i, err)
			}
			if e.Src != got[i].Src || e.Dest != got[i].Dest || e.Type != got[i].Type || e.SentNS != got[i].SentNS ||
				e.DeliveredNS != got[i].DeliveredNS || e.Dropped != got[i].Dropped || e.Duplicate != got[i].Duplicate {
				t.Fatalf("entry %d changed: %+v then %+v", i, got[i], e)
			}
		}
	})
}
