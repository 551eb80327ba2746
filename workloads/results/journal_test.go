package results

import (
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"
)

func ptr(v int64) *int64 { return &v }

func sampleJournal() []JournalEntry {
	return []JournalEntry{
		{Src: "c1", Dest: "n0", Type: "echo", MsgID: ptr(1), SentNS: 1000, DeliveredNS: 1500},
		{Src: "n0", Dest: "c1", Type: "echo_ok", MsgID: ptr(1), InReplyTo: ptr(1), SentNS: 1600, DeliveredNS: 2100},
		{Src: "n0", Dest: "n1", Type: "gossip", SentNS: 2000, DeliveredNS: NotDelivered, Dropped: DropPartition},
		{Src: "n0", Dest: "n1", Type: "gossip", SentNS: 2000, DeliveredNS: 2600, Duplicate: true},
		{Src: "n1", Dest: "lin-kv", Type: "read", MsgID: ptr(0), SentNS: 3000, DeliveredNS: NotDelivered},
		{Src: "n1", Dest: "<img src=x>", Type: "\"quoted\"&", SentNS: 3000, DeliveredNS: NotDelivered, Dropped: DropUnknownDest},
	}
}

func readAllJournal(t *testing.T, r io.Reader, maxLine, maxEntries int) ([]JournalEntry, error) {
	t.Helper()
	jr := NewJournalReader(r, maxLine, maxEntries)
	var out []JournalEntry
	for {
		e, err := jr.Read()
		if errors.Is(err, io.EOF) {
			return out, nil
		}
		if err != nil {
			return out, err
		}
		out = append(out, e)
	}
}

func TestJournalRoundTrip(t *testing.T) {
	dir := t.TempDir()
	want := sampleJournal()
	if err := WriteJournal(dir, want); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(filepath.Join(dir, JournalFile))
	if err != nil {
		t.Fatal(err)
	}
	if n := bytes.Count(b, []byte("\n")); n != len(want) {
		t.Fatalf("%d lines, want one per entry (%d)", n, len(want))
	}
	if !strings.Contains(string(b), `"delivered_ns":-1`) || strings.Contains(string(b), "<img") {
		t.Errorf("journal text:\n%s", b)
	}
	got, err := readAllJournal(t, bytes.NewReader(b), 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("read back\n%+v\nwant\n%+v", got, want)
	}
}

func TestJournalWriteRejectsInvalid(t *testing.T) {
	dir := t.TempDir()
	bad := append(sampleJournal(), JournalEntry{Src: "n0", Dest: "n1", SentNS: 5, DeliveredNS: 4})
	if err := WriteJournal(dir, bad); !errors.Is(err, ErrJournal) || !strings.Contains(err.Error(), "entry 6") {
		t.Errorf("invalid entry: %v", err)
	}
	if _, err := os.Stat(filepath.Join(dir, JournalFile)); err == nil {
		t.Error("a journal with an invalid entry was written")
	}
	var buf bytes.Buffer
	w := NewJournalWriter(&buf)
	if err := w.Write(&JournalEntry{Src: "n0", Dest: "n1", Type: "\xff", DeliveredNS: NotDelivered}); err == nil || !strings.Contains(err.Error(), "UTF-8") {
		t.Errorf("invalid UTF-8: %v", err)
	}
	// The reader decodes invalid UTF-8 as U+FFFD, as encoding/json does.
	got, err := readAllJournal(t, strings.NewReader("{\"src\":\"c1\",\"dest\":\"n0\",\"type\":\"\xff\",\"sent_ns\":1,\"delivered_ns\":-1}"), 0, 0)
	if err != nil || len(got) != 1 || got[0].Type != "\ufffd" {
		t.Errorf("invalid UTF-8 read as %+v, %v", got, err)
	}
}

func TestJournalReaderRejects(t *testing.T) {
	ok := `{"src":"c1","dest":"n0","type":"echo","sent_ns":1,"delivered_ns":2}`
	for name, tc := range map[string]struct {
		text string
		line int
		want string
	}{
		"not json":           {ok + "\n{\n", 2, "unexpected end"},
		"no times":           {`{"src":"c1","dest":"n0","type":"echo"}`, 1, "without sent_ns"},
		"no delivery field":  {`{"src":"c1","dest":"n0","type":"echo","sent_ns":4}`, 1, "without sent_ns or delivered_ns"},
		"no dest":            {`{"src":"c1","type":"echo","sent_ns":1,"delivered_ns":2}`, 1, "without src or dest"},
		"negative time":      {`{"src":"c1","dest":"n0","sent_ns":-5,"delivered_ns":-1}`, 1, "sent_ns -5"},
		"delivered early":    {`{"src":"c1","dest":"n0","sent_ns":9,"delivered_ns":3}`, 1, "before sent_ns"},
		"delivered, dropped": {`{"src":"c1","dest":"n0","sent_ns":1,"delivered_ns":3,"dropped":"loss"}`, 1, "both delivered and dropped"},
		"long id":            {`{"src":"` + strings.Repeat("a", MaxJournalID+1) + `","dest":"n0","sent_ns":1,"delivered_ns":-1}`, 1, "longer than"},
		"array":              {`[1,2]`, 1, "cannot unmarshal"},
	} {
		t.Run(name, func(t *testing.T) {
			jr := NewJournalReader(strings.NewReader(tc.text), 0, 0)
			var err error
			for err == nil {
				_, err = jr.Read()
			}
			if !errors.Is(err, ErrJournal) || !strings.Contains(err.Error(), tc.want) ||
				!strings.Contains(err.Error(), "line "+strconv.Itoa(tc.line)+":") {
				t.Errorf("error %v, want ErrJournal on line %d with %q", err, tc.line, tc.want)
			}
			if _, again := jr.Read(); again != err {
				t.Errorf("error not sticky: %v then %v", err, again)
			}
		})
	}
}

func TestJournalReaderBounds(t *testing.T) {
	line := `{"src":"c1","dest":"n0","type":"echo","sent_ns":1,"delivered_ns":2}` + "\n"
	// Entry bound: the 4th entry is an error, blank lines do not count.
	got, err := readAllJournal(t, strings.NewReader(strings.Repeat(line+"\n", 10)), 0, 3)
	if len(got) != 3 || !errors.Is(err, ErrJournalTooLong) || !errors.Is(err, ErrJournal) {
		t.Errorf("entry bound: %d entries, %v", len(got), err)
	}
	// Line bound, with and without a newline after the long line.
	long := `{"src":"c1","dest":"n0","type":"` + strings.Repeat("x", 500) + `","sent_ns":1,"delivered_ns":2}`
	for _, text := range []string{line + long + "\n" + line, line + long} {
		got, err = readAllJournal(t, strings.NewReader(text), 200, 0)
		if len(got) != 1 || !errors.Is(err, ErrJournal) || !strings.Contains(err.Error(), "line 2: bad message journal: line longer than 200") {
			t.Errorf("line bound: %d entries, %v", len(got), err)
		}
	}
	// A line of exactly the bound is fine.
	exact := strings.TrimSuffix(line, "\n")
	got, err = readAllJournal(t, strings.NewReader(line+exact+"\n"+exact), len(exact), 0)
	if len(got) != 3 || err != nil {
		t.Errorf("lines at the bound: %d entries, %v", len(got), err)
	}
	// A huge stream without newlines stops at the bound, reading little.
	cr := &countingReader{r: io.LimitReader(zeros{}, 1<<30)}
	if _, err := readAllJournal(t, cr, 4096, 0); !errors.Is(err, ErrJournal) || cr.n > 1<<20 {
		t.Errorf("endless line: %v after reading %d bytes", err, cr.n)
	}
}

type zeros struct{}

func (zeros) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = 'x'
	}
	return len(p), nil
}

type countingReader struct {
	r io.Reader
	n int
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += n
	return n, err
}

func TestNetworkSetOps(t *testing.T) {
	n := Network{All: Traffic{Sent: 10}, Servers: Traffic{Sent: 4}}
	n.SetOps(3)
	if n.Ops != 3 || n.MsgsPerOp != 3.333 || n.ServerMsgsPerOp != 1.333 {
		t.Errorf("per op: %+v", n)
	}
	n.SetOps(0)
	if n.MsgsPerOp != 0 || n.ServerMsgsPerOp != 0 {
		t.Errorf("no ops: %+v", n)
	}
	d := Drops{Partition: 1, Loss: 2, UnknownDest: 3, SlowEndpoint: 4, Overload: 5}
	if d.Total() != 15 {
		t.Errorf("total %d", d.Total())
	}
}

func TestResultsNetworkSections(t *testing.T) {
	dir := t.TempDir()
	net := &Network{All: Traffic{Sent: 7, Delivered: 6, Duplicated: 1, Dropped: Drops{Loss: 2}, Bytes: 700},
		ByType: map[string]Traffic{"echo": {Sent: 7}}}
	net.SetOps(2)
	r := &Results{Schema: SchemaVersion, Network: net,
		NodeStats: []NodeStats{{ID: "n0", Starts: 2, Exits: 1, LastProblems: []string{"n0: junk"}, Log: "n0.log"}}}
	if err := Write(dir, r); err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(filepath.Join(dir, File))
	for _, want := range []string{`"network": {`, `"msgs_per_op": 3.5`, `"unknown_dest": 0`, `"node_stats": [`, `"last_problems"`} {
		if !strings.Contains(string(b), want) {
			t.Errorf("results.json lacks %s", want)
		}
	}
	got, err := Read(dir)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got.Network, r.Network) || !reflect.DeepEqual(got.NodeStats, r.NodeStats) {
		t.Errorf("read back %+v %+v", got.Network, got.NodeStats)
	}
}
