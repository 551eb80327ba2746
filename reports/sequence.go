package reports

import (
	"cmp"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"faultline/workloads/results"
)

// Bounds of the message-sequence diagram: at most MaxSequenceMessages
// messages, sent in the first MaxSequenceSeconds of the journal, between
// at most MaxSequenceLanes timelines (the ids past it share one). The
// journal itself is read up to MaxJournalEntries entries.
const (
	MaxSequenceMessages = 400
	MaxSequenceSeconds  = 10.0
	MaxSequenceLanes    = 24
	MaxJournalEntries   = 200_000
	// maxLabel bounds every text from the journal drawn on the page, in
	// runes.
	maxLabel = 48
	// tickEvery is the number of steps between time labels.
	tickEvery = 20
)

// otherLane is the timeline of the ids past MaxSequenceLanes.
const otherLane = "(other ids)"

// Sequence is a message-sequence (Lamport) diagram of the journal's first
// messages, laid out as Maelstrom draws one: a vertical timeline per
// node, client or service, one step (row) per send and per delivery in
// time order, and an arrow per message copy from its send to its
// delivery.
type Sequence struct {
	Lanes  []string `json:"lanes"`
	Steps  int      `json:"steps"`
	Arrows []Arrow  `json:"arrows"`
	// Ticks label steps with their time, in seconds since the run
	// started.
	Ticks []Tick `json:"ticks"`
	// Windows are the fault windows over the drawn steps.
	Windows []StepWindow `json:"windows,omitempty"`
	// Drawn of Total journal entries read are drawn.
	Drawn int `json:"drawn"`
	Total int `json:"total"`
	// Notes say what was left out, and why.
	Notes []string `json:"notes,omitempty"`
}

// Arrow is one message copy of the diagram. Recv is its delivery's step,
// or -1 when it was not delivered: then Drop names the drop cause, or is
// "in flight" (neither delivered nor dropped when the journal ended).
type Arrow struct {
	From  int    `json:"from"`
	To    int    `json:"to"`
	Send  int    `json:"send"`
	Recv  int    `json:"recv"`
	Label string `json:"label"`
	Title string `json:"title"`
	Drop  string `json:"drop,omitempty"`
	Dup   bool   `json:"dup,omitempty"`
	// Class colours it: "client" (to or from a client), "error" (an
	// error body) or "server".
	Class string `json:"class"`
}

// Tick is a time label of the diagram.
type Tick struct {
	Step int     `json:"step"`
	T    float64 `json:"t"`
}

// StepWindow is a fault window as a range of steps.
type StepWindow struct {
	Kind  string `json:"kind"`
	Label string `json:"label"`
	From  int    `json:"from"`
	To    int    `json:"to"`
}

// journalPath is the results folder's journal: files key "messages",
// else JournalFile; "" when it has none (or it is no regular file).
func journalPath(dir string, r *results.Results) string {
	f := r.Files["messages"]
	if f == "" {
		f = results.JournalFile
	}
	if !safeRel(f) {
		return ""
	}
	p := filepath.Join(dir, f)
	if st, err := os.Lstat(p); err != nil || !st.Mode().IsRegular() {
		return ""
	}
	return p
}

// sequence reads the journal, when the run has one, and lays out its
// diagram. A journal that cannot be read whole is drawn up to its first
// bad line, with a note.
func (d *Data) sequence(dir string, r *results.Results) {
	path := journalPath(dir, r)
	if path == "" {
		return
	}
	var entries []results.JournalEntry
	var notes []string
	f, err := os.Open(path)
	if err != nil {
		notes = append(notes, fmt.Sprintf("the message journal could not be read: %v", err))
	} else {
		defer f.Close()
		jr := results.NewJournalReader(f, 0, MaxJournalEntries)
		for {
			e, err := jr.Read()
			if errors.Is(err, io.EOF) {
				break
			}
			if errors.Is(err, results.ErrJournalTooLong) {
				notes = append(notes, fmt.Sprintf("the journal holds more than %d messages; only the first %d were read", MaxJournalEntries, MaxJournalEntries))
				break
			}
			if err != nil {
				notes = append(notes, clip(err.Error(), 200)+"; the diagram shows the entries before it")
				break
			}
			entries = append(entries, e)
		}
	}
	if r.Network != nil && r.Network.JournalOmitted > 0 {
		notes = append(notes, fmt.Sprintf("the network journaled no more after its bound: %d messages of the journal's window are missing", r.Network.JournalOmitted))
	}
	s := layoutSequence(entries, d.Windows)
	s.Notes = append(notes, s.Notes...)
	d.Sequence = s
}

// layoutSequence lays out the first messages of a journal (in any order)
// over the fault windows.
func layoutSequence(entries []results.JournalEntry, windows []Window) *Sequence {
	s := &Sequence{Total: len(entries), Lanes: []string{}, Arrows: []Arrow{}, Ticks: []Tick{}}
	if len(entries) == 0 {
		return s
	}
	es := slices.Clone(entries)
	slices.SortStableFunc(es, func(a, b results.JournalEntry) int { return cmp.Compare(a.SentNS, b.SentNS) })
	limit := es[0].SentNS + int64(MaxSequenceSeconds*1e9)
	n := 0
	for n < len(es) && n < MaxSequenceMessages && es[n].SentNS < limit {
		n++
	}
	es = es[:n]
	s.Drawn = n
	if n < len(entries) {
		s.Notes = append(s.Notes, fmt.Sprintf("%d of %d messages drawn: the first %d sent within %g s of the first; %d later ones are left out",
			n, len(entries), MaxSequenceMessages, MaxSequenceSeconds, len(entries)-n))
	}
	lane := s.lanes(es)

	// One step per event: sends and deliveries in time order, a send
	// before a delivery at the same time.
	type event struct {
		t    int64
		recv bool
		i    int
	}
	evs := make([]event, 0, 2*n)
	for i := range es {
		evs = append(evs, event{t: es[i].SentNS, i: i})
		if es[i].Delivered() {
			evs = append(evs, event{t: es[i].DeliveredNS, recv: true, i: i})
		}
	}
	slices.SortStableFunc(evs, func(a, b event) int {
		return cmp.Or(cmp.Compare(a.t, b.t), cmp.Compare(boolInt(a.recv), boolInt(b.recv)), cmp.Compare(a.i, b.i))
	})
	s.Arrows = make([]Arrow, n)
	times := make([]int64, len(evs))
	for step, ev := range evs {
		times[step] = ev.t
		a := &s.Arrows[ev.i]
		if ev.recv {
			a.Recv = step
			continue
		}
		e := &es[ev.i]
		*a = Arrow{From: lane(e.Src), To: lane(e.Dest), Send: step, Recv: -1, Dup: e.Duplicate,
			Label: arrowLabel(e), Title: arrowTitle(e), Class: arrowClass(e)}
		if !e.Delivered() {
			a.Drop = cmp.Or(clip(e.Dropped, maxLabel), "in flight")
		}
	}
	s.Steps = len(evs)
	for step := 0; step < len(evs); step += tickEvery {
		s.Ticks = append(s.Ticks, Tick{Step: step, T: secs(times[step])})
	}
	s.Windows = stepWindows(windows, times)
	return s
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// lanes orders the ids of the drawn messages into timelines: clients,
// nodes and services that sent messages first (each group in natural
// order), then ids that only received; past MaxSequenceLanes-1 of them
// the rest share one lane. It returns the lane of an id.
func (s *Sequence) lanes(es []results.JournalEntry) func(string) int {
	group := map[string]int{}
	for i := range es {
		group[es[i].Src] = idGroup(es[i].Src)
	}
	for i := range es {
		if _, ok := group[es[i].Dest]; !ok {
			group[es[i].Dest] = 3
		}
	}
	ids := make([]string, 0, len(group))
	for id := range group {
		ids = append(ids, id)
	}
	slices.SortFunc(ids, func(a, b string) int { return cmp.Or(cmp.Compare(group[a], group[b]), naturalLess(a, b)) })
	index := map[string]int{}
	for i, id := range ids {
		if i == MaxSequenceLanes-1 && len(ids) > MaxSequenceLanes {
			s.Lanes = append(s.Lanes, otherLane)
			s.Notes = append(s.Notes, fmt.Sprintf("%d ids share the lane %s", len(ids)-i, otherLane))
			break
		}
		index[id] = i
		s.Lanes = append(s.Lanes, clip(id, maxLabel))
	}
	return func(id string) int {
		if i, ok := index[id]; ok {
			return i
		}
		return len(s.Lanes) - 1
	}
}

// idGroup ranks a sender's id: clients (c and digits), nodes (n and
// digits), anything else (services).
func idGroup(id string) int {
	if len(id) >= 2 && strings.Trim(id[1:], "0123456789") == "" {
		switch id[0] {
		case 'c':
			return 0
		case 'n':
			return 1
		}
	}
	return 2
}

func arrowLabel(e *results.JournalEntry) string {
	l := cmp.Or(e.Type, "(no type)")
	if e.MsgID != nil {
		l += " #" + strconv.FormatInt(*e.MsgID, 10)
	}
	if e.InReplyTo != nil {
		l += " ↩" + strconv.FormatInt(*e.InReplyTo, 10)
	}
	if e.Duplicate {
		l += " (dup)"
	}
	return clip(l, maxLabel)
}

func arrowTitle(e *results.JournalEntry) string {
	var b strings.Builder
	b.WriteString(clip(e.Src, maxLabel) + " → " + clip(e.Dest, maxLabel) + " " + clip(cmp.Or(e.Type, "(no type)"), 2*maxLabel))
	if e.MsgID != nil {
		b.WriteString(" msg_id " + strconv.FormatInt(*e.MsgID, 10))
	}
	if e.InReplyTo != nil {
		b.WriteString(" in_reply_to " + strconv.FormatInt(*e.InReplyTo, 10))
	}
	b.WriteString("; sent " + strconv.FormatFloat(float64(e.SentNS)/1e6, 'f', 3, 64) + " ms")
	switch {
	case e.Delivered():
		b.WriteString(", delivered " + strconv.FormatFloat(float64(e.DeliveredNS)/1e6, 'f', 3, 64) + " ms")
	case e.Dropped != "":
		b.WriteString(", dropped (" + clip(e.Dropped, maxLabel) + ")")
	default:
		b.WriteString(", in flight at the journal's end")
	}
	if e.Duplicate {
		b.WriteString("; a duplicate copy")
	}
	return b.String()
}

func arrowClass(e *results.JournalEntry) string {
	switch {
	case e.Type == "error":
		return "error"
	case idGroup(e.Src) == 0 || idGroup(e.Dest) == 0:
		return "client"
	}
	return "server"
}

// stepWindows maps the fault windows that overlap the drawn events to
// ranges of steps.
func stepWindows(windows []Window, times []int64) []StepWindow {
	var out []StepWindow
	for _, w := range windows {
		lo, hi := int64(w.Start*1e9), int64(w.Stop*1e9)
		from, _ := slices.BinarySearch(times, lo)
		to, found := slices.BinarySearch(times, hi)
		if found {
			for to+1 < len(times) && times[to+1] == hi {
				to++
			}
		} else {
			to--
		}
		if from > to {
			continue
		}
		out = append(out, StepWindow{Kind: clip(w.Kind, maxLabel), Label: clip(windowLabel(w), maxLabel), From: from, To: to})
	}
	return out
}
