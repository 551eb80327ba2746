package storage

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"math/rand/v2"
	"testing"

	"faultline/internal/testseed"
)

var modelRuns = flag.Int("model.runs", 6, "seeds TestAgainstModel runs")

// model is the naive twin of a FilePersister's logical state.
type model struct {
	term, vote          int
	snapIndex, snapTerm int
	snapshot, state     []byte
	entries             [][]byte // at snapIndex+1...
	// hwm is the highest index ever written; a snapshot at or above it
	// leaves nothing live in older segments.
	hwm int
}

func (m *model) last() int { return m.snapIndex + len(m.entries) }

func (m *model) size() int {
	n := len(m.state)
	for _, e := range m.entries {
		n += len(e)
	}
	if m.term != 0 || m.vote != -1 {
		n += 16
	}
	return n
}

func randBytes(r *rand.Rand, max int) []byte {
	b := make([]byte, r.IntN(max+1))
	for i := range b {
		b[i] = byte(r.Uint32())
	}
	return b
}

// TestAgainstModel drives a persister with small segments through random
// writes, snapshots and reopenings and compares it with the model after
// every step.
func TestAgainstModel(t *testing.T) {
	seed := testseed.Time(t)
	for run := range *modelRuns {
		s := seed + uint64(run)
		t.Run(fmt.Sprint("seed=", s), func(t *testing.T) {
			if err := runModel(t, s, 400, run%3 == 0); err != nil {
				t.Fatalf("seed %d (replay with -seed=%d -model.runs=1): %v", s, s, err)
			}
		})
	}
}

func runModel(t *testing.T, seed uint64, steps int, fsync bool) error {
	r := rand.New(rand.NewPCG(seed, 0x5eed))
	dir := t.TempDir()
	opts := Options{SegmentSize: MinSegmentSize, NoSync: !fsync}
	p, err := Open(dir, opts)
	if err != nil {
		return err
	}
	defer func() { p.Close() }()
	m := &model{vote: -1}
	for step := range steps {
		var what string
		switch k := r.IntN(100); {
		case k < 10:
			m.term, m.vote = r.IntN(50), r.IntN(5)-1
			what = fmt.Sprintf("SetHardState(%d, %d)", m.term, m.vote)
			if err := p.SetHardState(m.term, m.vote); err != nil {
				return fmt.Errorf("step %d %s: %v", step, what, err)
			}
		case k < 60:
			index := m.snapIndex + 1 + r.IntN(m.last()-m.snapIndex+1)
			ents := make([][]byte, r.IntN(6))
			for i := range ents {
				ents[i] = randBytes(r, 200)
			}
			what = fmt.Sprintf("AppendLog(%d, %d entries)", index, len(ents))
			if err := p.AppendLog(index, ents); err != nil {
				return fmt.Errorf("step %d %s: %v", step, what, err)
			}
			m.entries = append(m.entries[:index-m.snapIndex-1], ents...)
			m.hwm = max(m.hwm, m.last())
		case k < 65:
			// Out-of-range appends fail and change nothing.
			index := m.last() + 2 + r.IntN(3)
			if m.snapIndex > 0 && r.IntN(2) == 0 {
				index = 1 + r.IntN(m.snapIndex)
			}
			what = fmt.Sprintf("AppendLog(%d) out of range", index)
			err := p.AppendLog(index, [][]byte{{1}})
			if !errors.Is(err, ErrOutOfRange) && !errors.Is(err, ErrCompacted) {
				return fmt.Errorf("step %d %s = %v", step, what, err)
			}
		case k < 75:
			index := m.snapIndex + r.IntN(m.last()-m.snapIndex+3)
			if r.IntN(4) == 0 {
				index = max(index, m.hwm)
			}
			term, snap := r.IntN(50), randBytes(r, 300)
			what = fmt.Sprintf("SaveSnapshot(%d, %d)", index, term)
			if err := p.SaveSnapshot(index, term, snap); err != nil {
				return fmt.Errorf("step %d %s: %v", step, what, err)
			}
			if index >= m.last() {
				m.entries = nil
			} else {
				m.entries = m.entries[index-m.snapIndex:]
			}
			m.snapIndex, m.snapTerm, m.snapshot = index, term, snap
			if index >= m.hwm {
				p.ioMu.Lock()
				n := len(p.segments)
				p.ioMu.Unlock()
				if files := len(segmentFiles(t, dir)); n != 1 || files != 1 {
					return fmt.Errorf("step %d %s: %d segments (%d files) left after a snapshot above everything ever written", step, what, n, files)
				}
			}
		case k < 80:
			m.state = randBytes(r, 100)
			what = "SaveRaftState"
			p.SaveRaftState(m.state)
		case k < 90:
			what = "Sync"
			if err := p.Sync(); err != nil {
				return fmt.Errorf("step %d %s: %v", step, what, err)
			}
		default:
			what = "reopen"
			if err := p.Close(); err != nil {
				return fmt.Errorf("step %d close: %v", step, err)
			}
			if p, err = Open(dir, opts); err != nil {
				return fmt.Errorf("step %d open: %v", step, err)
			}
		}
		if err := compareModel(p, m); err != nil {
			return fmt.Errorf("after step %d %s: %v", step, what, err)
		}
	}
	return nil
}

func compareModel(p *FilePersister, m *model) error {
	if got, want := p.RaftStateSize(), m.size(); got != want {
		return fmt.Errorf("RaftStateSize = %d, want %d", got, want)
	}
	if !bytes.Equal(p.ReadSnapshot(), m.snapshot) || p.SnapshotSize() != len(m.snapshot) {
		return fmt.Errorf("ReadSnapshot differs")
	}
	if !bytes.Equal(p.ReadRaftState(), m.state) {
		return fmt.Errorf("ReadRaftState differs")
	}
	term, vote, si, st, ents, err := p.LoadState()
	if err != nil {
		return fmt.Errorf("LoadState: %v", err)
	}
	if term != m.term || vote != m.vote || si != m.snapIndex || st != m.snapTerm {
		return fmt.Errorf("LoadState = %d/%d snap %d/%d, want %d/%d snap %d/%d", term, vote, si, st, m.term, m.vote, m.snapIndex, m.snapTerm)
	}
	if err := sameEntries(ents, m.entries); err != nil {
		return fmt.Errorf("LoadState entries: %v", err)
	}
	return nil
}
