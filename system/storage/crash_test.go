package storage

import (
	"bufio"
	"bytes"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"strconv"
	"sync"
	"syscall"
	"testing"
	"time"

	"faultline/internal/testseed"
)

var crashRounds = flag.Int("crash.rounds", 20, "SIGKILL rounds TestCrashRecovery runs")

// envCrashChild names the directory the child process of TestCrashRecovery
// writes to; the test binary re-executed with it set runs crashChild.
const envCrashChild = "FAULTLINE_STORAGE_CRASH_CHILD"

// Crash-test workload: entry i is entryFor(i); before entry i with
// i%crashTermEvery == 0 the hard state becomes (i/crashTermEvery, 1); every
// crashSnapEvery entries the log is snapshotted crashSnapLag entries back.
const (
	crashTermEvery = 100
	crashSnapEvery = 300
	crashSnapLag   = 50
	crashAppenders = 4
	crashSegment   = 16 << 10
)

func snapshotFor(i int) []byte { return fmt.Appendf(nil, "snapshot through %d", i) }

// TestCrashChild is the child side of TestCrashRecovery; it does nothing
// unless envCrashChild is set.
func TestCrashChild(t *testing.T) {
	dir := os.Getenv(envCrashChild)
	if dir == "" {
		t.Skip("child process of TestCrashRecovery only")
	}
	if err := crashChild(dir); err != nil {
		fmt.Fprintln(os.Stderr, "crash child:", err)
		os.Exit(3)
	}
	os.Exit(0)
}

// crashChild appends and syncs from several goroutines, printing each index
// once Sync has returned, until killed (or after a minute, so it can never
// outlive a broken parent for long).
func crashChild(dir string) error {
	p, err := Open(dir, Options{SegmentSize: crashSegment})
	if err != nil {
		return err
	}
	_, _, snapIndex, _, ents, err := p.LoadState()
	if err != nil {
		return err
	}
	var (
		mu      sync.Mutex // orders appends and snapshots
		next    = snapIndex + len(ents) + 1
		outMu   sync.Mutex
		errs    = make(chan error, crashAppenders)
		stopAt  = time.Now().Add(time.Minute)
		workers sync.WaitGroup
	)
	appendOne := func(r *rand.Rand) (int, error) {
		mu.Lock()
		defer mu.Unlock()
		i := next
		if i%crashTermEvery == 0 {
			if err := p.SetHardState(i/crashTermEvery, 1); err != nil {
				return 0, err
			}
		}
		if r.IntN(20) == 0 && i-3 > snapIndex {
			// Rewrite a short suffix with the same entries: a truncating
			// record in the log.
			if err := p.AppendLog(i-3, entriesFor(i-3, 4)); err != nil {
				return 0, err
			}
		} else if err := p.AppendLog(i, [][]byte{entryFor(i)}); err != nil {
			return 0, err
		}
		next++
		if i%crashSnapEvery == 0 {
			snapIndex = i - crashSnapLag
			if err := p.SaveSnapshot(snapIndex, snapIndex/crashTermEvery, snapshotFor(snapIndex)); err != nil {
				return 0, err
			}
		}
		return i, nil
	}
	for w := range crashAppenders {
		workers.Add(1)
		go func() {
			defer workers.Done()
			r := rand.New(rand.NewPCG(uint64(w), uint64(next)))
			for time.Now().Before(stopAt) {
				i, err := appendOne(r)
				if err == nil {
					err = p.Sync()
				}
				if err != nil {
					errs <- err
					return
				}
				outMu.Lock()
				_, err = fmt.Fprintf(os.Stdout, "%d\n", i)
				outMu.Unlock()
				if err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	workers.Wait()
	close(errs)
	return <-errs
}

// TestCrashRecovery runs a child process that appends and syncs in a loop
// and kills it with SIGKILL at a random moment, many times; after each kill
// everything the child reported as synced must be recovered intact.
func TestCrashRecovery(t *testing.T) {
	seed := testseed.Time(t)
	r := rand.New(rand.NewPCG(seed, 0xc4a5))
	dir := t.TempDir()
	maxSynced, kills := 0, 0
	for round := range *crashRounds {
		// Kill after the parent has read 0..600 synced indices: 0 kills the
		// child in the middle of opening and recovering.
		killAfter := r.IntN(601)
		if r.IntN(5) == 0 {
			killAfter = 0
		}
		synced, killed, err := runCrashChild(t, dir, killAfter)
		if err != nil {
			t.Fatalf("seed %d round %d: %v", seed, round, err)
		}
		if killed {
			kills++
		}
		for _, i := range synced {
			maxSynced = max(maxSynced, i)
		}
		if err := verifyCrashDir(dir, maxSynced); err != nil {
			t.Fatalf("seed %d round %d (killed after %d lines, %d read, max synced %d): %v", seed, round, killAfter, len(synced), maxSynced, err)
		}
	}
	if kills < *crashRounds*3/4 || maxSynced < 100 {
		t.Fatalf("seed %d: only %d of %d rounds ended in a kill, %d entries synced", seed, kills, *crashRounds, maxSynced)
	}
	t.Logf("%d rounds, %d SIGKILLs, %d entries synced", *crashRounds, kills, maxSynced)
}

// runCrashChild starts the child on dir, reads killAfter synced indices
// and kills it, then drains what it printed before dying. killed reports
// whether the kill came before the child stopped on its own.
func runCrashChild(t *testing.T, dir string, killAfter int) (synced []int, killed bool, err error) {
	cmd := exec.Command(os.Args[0], "-test.run=^TestCrashChild$", "-test.count=1")
	cmd.Env = append(os.Environ(), envCrashChild+"="+dir)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		return nil, false, err
	}
	if err := cmd.Start(); err != nil {
		return nil, false, err
	}
	lines := make(chan int, 1024)
	scanErr := make(chan error, 1)
	go func() {
		defer close(lines)
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			i, err := strconv.Atoi(sc.Text())
			if err != nil {
				scanErr <- fmt.Errorf("child printed %q", sc.Text())
				return
			}
			lines <- i
		}
		scanErr <- sc.Err()
	}()
	deadline := time.After(60 * time.Second)
	kill := func() {
		if cmd.Process.Signal(syscall.SIGKILL) == nil {
			killed = true
		}
	}
	if killAfter == 0 {
		kill()
	}
	for done := false; !done; {
		select {
		case i, ok := <-lines:
			if !ok {
				done = true
				break
			}
			synced = append(synced, i)
			if len(synced) == killAfter {
				kill()
			}
		case <-deadline:
			cmd.Process.Kill()
			cmd.Wait()
			return nil, false, fmt.Errorf("child made no progress for 60s (read %d lines); stderr: %s", len(synced), stderr.String())
		}
	}
	waitErr := cmd.Wait()
	if err := <-scanErr; err != nil {
		return nil, false, err
	}
	if ws, ok := cmd.ProcessState.Sys().(syscall.WaitStatus); !ok || !ws.Signaled() || ws.Signal() != syscall.SIGKILL {
		return nil, false, fmt.Errorf("child was not killed (%v): stderr: %s", waitErr, stderr.String())
	}
	return synced, killed, nil
}

// verifyCrashDir opens dir after a kill and checks that every index up to
// maxSynced is recovered (in the log or under the snapshot), that every
// recovered entry, the snapshot and the hard state are what the child
// wrote, and that compaction kept the directory bounded.
func verifyCrashDir(dir string, maxSynced int) error {
	p, err := Open(dir, Options{SegmentSize: crashSegment})
	if err != nil {
		return fmt.Errorf("open after kill: %w", err)
	}
	defer p.Close()
	term, vote, si, st, ents, err := p.LoadState()
	if err != nil {
		return fmt.Errorf("LoadState after kill: %w", err)
	}
	last := si + len(ents)
	if last < maxSynced {
		return fmt.Errorf("recovered up to index %d, child reported %d synced", last, maxSynced)
	}
	for k, e := range ents {
		if i := si + 1 + k; !bytes.Equal(e, entryFor(i)) {
			return fmt.Errorf("entry %d recovered as %d bytes %.16x, want %d bytes %.16x", i, len(e), e, len(entryFor(i)), entryFor(i))
		}
	}
	if si > 0 {
		if !bytes.Equal(p.ReadSnapshot(), snapshotFor(si)) || st != si/crashTermEvery {
			return fmt.Errorf("snapshot at %d term %d reads %q", si, st, p.ReadSnapshot())
		}
	}
	// The hard state of entry i is written just before it, so it is at
	// least that of the last synced entry and at most that of the entry after
	// the last recovered one.
	if lo, hi := maxSynced/crashTermEvery, (last+1)/crashTermEvery; term < lo || term > hi || (term > 0 && vote != 1) {
		return fmt.Errorf("hard state term %d vote %d, want term in [%d, %d] and vote 1", term, vote, lo, hi)
	}
	// Compaction keeps the log near crashSnapEvery+crashSnapLag entries of
	// at most 300 bytes: a handful of 16 KiB segments, plus the ones each
	// reopening starts.
	seqs, err := listSegments(dir)
	if err != nil {
		return err
	}
	if len(seqs) > 30 {
		return fmt.Errorf("%d segments on disk", len(seqs))
	}
	return nil
}
