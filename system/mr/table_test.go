package mr

import (
	"math/rand/v2"
	"strings"
	"testing"
	"time"
)

var t0 = time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)

func at(d time.Duration) time.Time { return t0.Add(d) }

func mustRun(t *testing.T, r TaskReply, kind TaskKind, index, attempt int) {
	t.Helper()
	if r.Action != ActionRun || r.Task != (TaskID{kind, index}) || r.Attempt != attempt {
		t.Fatalf("got %v %v #%d, want run %v %d #%d", r.Action, r.Task, r.Attempt, kind, index, attempt)
	}
}

func done(id TaskID, attempt int, worker string) *TaskReport {
	return &TaskReport{Worker: worker, Task: id, Attempt: attempt, Status: StatusDone}
}

func timeline(tb *taskTable) string {
	var b strings.Builder
	for _, e := range tb.events {
		b.WriteString(e.String())
		b.WriteByte('\n')
	}
	return b.String()
}

// TestTableHappyPath: maps in order, reduces only after all maps, then exit;
// the timeline is exactly as expected (golden).
func TestTableHappyPath(t *testing.T) {
	tb := newTaskTable([]string{"f0", "f1"}, 2, 10*time.Second, 3, t0)
	r := tb.assign("a", at(0))
	mustRun(t, r, MapTask, 0, 1)
	if r.File != "f0" || r.NReduce != 2 || r.NMap != 2 {
		t.Fatalf("map reply %+v", r)
	}
	mustRun(t, tb.assign("b", at(time.Second)), MapTask, 1, 1)
	if r := tb.assign("c", at(time.Second)); r.Action != ActionWait {
		t.Fatalf("third worker got %v, want wait while maps run", r.Action)
	}
	if !tb.report(done(TaskID{MapTask, 0}, 1, "a"), at(2*time.Second)) {
		t.Fatal("map 0 report rejected")
	}
	if r := tb.assign("a", at(2*time.Second)); r.Action != ActionWait {
		t.Fatalf("got %v %v before all maps done, want wait", r.Action, r.Task)
	}
	rep := done(TaskID{MapTask, 1}, 1, "b")
	rep.Location = "127.0.0.1:9"
	tb.report(rep, at(3*time.Second))
	r = tb.assign("a", at(3*time.Second))
	mustRun(t, r, ReduceTask, 0, 1)
	if len(r.Sources) != 2 || r.Sources[0] != "" || r.Sources[1] != "127.0.0.1:9" {
		t.Fatalf("reduce sources %q", r.Sources)
	}
	mustRun(t, tb.assign("b", at(3*time.Second)), ReduceTask, 1, 1)
	tb.report(done(TaskID{ReduceTask, 1}, 1, "b"), at(4*time.Second))
	if tb.done() {
		t.Fatal("done with a reduce task running")
	}
	tb.report(done(TaskID{ReduceTask, 0}, 1, "a"), at(5*time.Second))
	if !tb.done() || tb.err() != nil {
		t.Fatalf("done=%v err=%v, want done", tb.done(), tb.err())
	}
	if r := tb.assign("c", at(5*time.Second)); r.Action != ActionExit {
		t.Fatalf("got %v after the job, want exit", r.Action)
	}
	want := `0.000s assigned map 0 #1 worker=a
1.000s assigned map 1 #1 worker=b
2.000s completed map 0 #1 worker=a
3.000s completed map 1 #1 worker=b
3.000s assigned reduce 0 #1 worker=a
3.000s assigned reduce 1 #1 worker=b
4.000s completed reduce 1 #1 worker=b
5.000s completed reduce 0 #1 worker=a
5.000s job-done
`
	if got := timeline(tb); got != want {
		t.Fatalf("timeline:\n%s\nwant:\n%s", got, want)
	}
}

// TestTableTimeoutReassigns: a task not reported within the timeout goes to
// another worker; the late report of the first attempt is accepted if it
// comes first, and the second attempt's report is then ignored.
func TestTableTimeoutReassigns(t *testing.T) {
	for _, tc := range []struct {
		name       string
		firstLate  int // attempt whose report arrives first
		secondLate int
	}{
		{"old attempt first", 1, 2},
		{"new attempt first", 2, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tb := newTaskTable([]string{"f0"}, 1, 10*time.Second, 3, t0)
			mustRun(t, tb.assign("a", at(0)), MapTask, 0, 1)
			if r := tb.assign("b", at(9*time.Second)); r.Action != ActionWait {
				t.Fatalf("reassigned before the timeout: %v", r.Action)
			}
			if d, ok := tb.nextDeadline(); !ok || !d.Equal(at(10*time.Second)) {
				t.Fatalf("next deadline %v %v, want 10s", d, ok)
			}
			mustRun(t, tb.assign("b", at(10*time.Second)), MapTask, 0, 2)
			if !tb.report(done(TaskID{MapTask, 0}, tc.firstLate, "x"), at(11*time.Second)) {
				t.Fatal("first report rejected")
			}
			if tb.report(done(TaskID{MapTask, 0}, tc.secondLate, "y"), at(12*time.Second)) {
				t.Fatal("second report of a done task accepted")
			}
			if tb.mapsLeft != 0 {
				t.Fatalf("mapsLeft = %d after one task done twice", tb.mapsLeft)
			}
			mustRun(t, tb.assign("a", at(12*time.Second)), ReduceTask, 0, 1)
		})
	}
}

// TestTableRejectsBadReports: unknown tasks and attempts never handed out
// change nothing.
func TestTableRejectsBadReports(t *testing.T) {
	tb := newTaskTable([]string{"f0"}, 1, time.Second, 3, t0)
	mustRun(t, tb.assign("a", at(0)), MapTask, 0, 1)
	for _, r := range []*TaskReport{
		done(TaskID{MapTask, 1}, 1, "a"),
		done(TaskID{MapTask, -1}, 1, "a"),
		done(TaskID{ReduceTask, 0}, 1, "a"),
		done(TaskID{MapTask, 0}, 2, "a"),
		done(TaskID{MapTask, 0}, 0, "a"),
		done(TaskID{0, 0}, 1, "a"),
		{Task: TaskID{MapTask, 0}, Attempt: 1, Status: 99},
		{Task: TaskID{MapTask, 0}, Attempt: 1, Status: StatusLost}, // maps cannot lose
	} {
		if tb.report(r, at(0)) {
			t.Fatalf("bad report %+v accepted", r)
		}
	}
	if tb.mapsLeft != 1 || tb.maps[0].state != taskRunning {
		t.Fatalf("state changed by bad reports: mapsLeft=%d state=%d", tb.mapsLeft, tb.maps[0].state)
	}
}

// TestTableFailures: a failed attempt goes back to idle; too many failures
// abandon the job; a stale failure report is ignored.
func TestTableFailures(t *testing.T) {
	tb := newTaskTable([]string{"f0"}, 1, time.Second, 2, t0)
	mustRun(t, tb.assign("a", at(0)), MapTask, 0, 1)
	mustRun(t, tb.assign("b", at(time.Second)), MapTask, 0, 2) // attempt 1 expired
	if tb.report(&TaskReport{Task: TaskID{MapTask, 0}, Attempt: 1, Status: StatusFailed, Err: "x"}, at(time.Second)) {
		t.Fatal("failure of an expired attempt accepted")
	}
	if !tb.report(&TaskReport{Task: TaskID{MapTask, 0}, Attempt: 2, Status: StatusFailed, Err: "no such file"}, at(time.Second)) {
		t.Fatal("failure of the running attempt rejected")
	}
	if tb.done() {
		t.Fatal("job over after one failure")
	}
	mustRun(t, tb.assign("c", at(time.Second)), MapTask, 0, 3)
	tb.report(&TaskReport{Task: TaskID{MapTask, 0}, Attempt: 3, Status: StatusFailed, Err: "no such file"}, at(time.Second))
	if !tb.done() || tb.err() == nil || !strings.Contains(tb.err().Error(), "no such file") {
		t.Fatalf("done=%v err=%v, want job failed", tb.done(), tb.err())
	}
	if r := tb.assign("a", at(time.Second)); r.Action != ActionExit {
		t.Fatalf("got %v after job failed, want exit", r.Action)
	}
}

// TestTableLostOutput: a reduce task that cannot read a map task's output
// sends that map task back to idle (only if the location still matches),
// and no reduce task is handed out until it is done again.
func TestTableLostOutput(t *testing.T) {
	tb := newTaskTable([]string{"f0", "f1"}, 2, 10*time.Second, 3, t0)
	mustRun(t, tb.assign("a", at(0)), MapTask, 0, 1)
	mustRun(t, tb.assign("b", at(0)), MapTask, 1, 1)
	r0 := done(TaskID{MapTask, 0}, 1, "a")
	r0.Location = "A"
	r1 := done(TaskID{MapTask, 1}, 1, "b")
	r1.Location = "B"
	tb.report(r0, at(1))
	tb.report(r1, at(1))
	mustRun(t, tb.assign("a", at(2)), ReduceTask, 0, 1)
	mustRun(t, tb.assign("c", at(2)), ReduceTask, 1, 1)
	// Worker b (serving map 1) died; both reducers notice.
	lost := &TaskReport{Worker: "a", Task: TaskID{ReduceTask, 0}, Attempt: 1, Status: StatusLost, LostMap: 1, LostFrom: "B"}
	if !tb.report(lost, at(3)) {
		t.Fatal("loss report rejected")
	}
	if tb.mapsLeft != 1 || tb.maps[1].state != taskIdle {
		t.Fatalf("map 1 not idle after loss: mapsLeft=%d", tb.mapsLeft)
	}
	lost2 := &TaskReport{Worker: "c", Task: TaskID{ReduceTask, 1}, Attempt: 1, Status: StatusLost, LostMap: 1, LostFrom: "B"}
	tb.report(lost2, at(3))
	if tb.mapsLeft != 1 {
		t.Fatalf("mapsLeft = %d after a second loss report of the same output", tb.mapsLeft)
	}
	mustRun(t, tb.assign("a", at(4)), MapTask, 1, 2)
	if r := tb.assign("c", at(4)); r.Action != ActionWait {
		t.Fatalf("got %v %v while a map task reruns, want wait", r.Action, r.Task)
	}
	r1b := done(TaskID{MapTask, 1}, 2, "a")
	r1b.Location = "A"
	tb.report(r1b, at(5))
	r := tb.assign("c", at(5))
	mustRun(t, r, ReduceTask, 0, 2)
	if r.Sources[1] != "A" {
		t.Fatalf("sources after rerun %q, want map 1 at A", r.Sources)
	}
	// A loss report naming the old location fails the reduce attempt but
	// leaves the rerun map output alone.
	stale := &TaskReport{Worker: "c", Task: TaskID{ReduceTask, 0}, Attempt: 2, Status: StatusLost, LostMap: 1, LostFrom: "B"}
	if !tb.report(stale, at(6)) {
		t.Fatal("loss report of the running attempt rejected")
	}
	if tb.mapsLeft != 0 || tb.maps[1].state != taskDone {
		t.Fatalf("map 1 redone because of a stale location: mapsLeft=%d", tb.mapsLeft)
	}
	mustRun(t, tb.assign("c", at(6)), ReduceTask, 0, 3)
}

// TestTableRandomInvariants drives the table with random requests, reports
// and clock steps and checks its invariants after every step: counters
// match states, no reduce is handed out before every map is done, a
// completed task is reported completed once, and the job always finishes.
func TestTableRandomInvariants(t *testing.T) {
	seed := time.Now().UnixNano()
	t.Logf("seed %d", seed)
	rng := rand.New(rand.NewPCG(uint64(seed), 1))
	for round := 0; round < 200; round++ {
		nMap, nReduce := 1+rng.IntN(5), 1+rng.IntN(4)
		files := make([]string, nMap)
		tb := newTaskTable(files, nReduce, 5*time.Second, 1000, t0)
		now := t0
		var running []TaskReply
		for step := 0; !tb.done(); step++ {
			if step > 10000 {
				t.Fatalf("seed %d: job not done after %d steps", seed, step)
			}
			switch rng.IntN(4) {
			case 0:
				r := tb.assign("w", now)
				if r.Action == ActionRun {
					if r.Task.Kind == ReduceTask && tb.mapsLeft > 0 {
						t.Fatalf("seed %d: reduce handed out with %d maps left", seed, tb.mapsLeft)
					}
					running = append(running, r)
				}
			case 1:
				if len(running) > 0 {
					i := rng.IntN(len(running))
					r := running[i]
					running = append(running[:i], running[i+1:]...)
					status := []ReportStatus{StatusDone, StatusDone, StatusFailed}[rng.IntN(3)]
					tb.report(&TaskReport{Task: r.Task, Attempt: r.Attempt, Status: status}, now)
				}
			default:
				now = now.Add(time.Duration(rng.IntN(3)) * time.Second)
			}
			checkCounters(t, seed, tb)
		}
		completed := map[TaskID]int{}
		for _, e := range tb.events {
			if e.Kind == EventCompleted {
				completed[e.Task]++
			}
		}
		if len(completed) != nMap+nReduce {
			t.Fatalf("seed %d: %d tasks completed, want %d", seed, len(completed), nMap+nReduce)
		}
		for id, n := range completed {
			if n != 1 {
				t.Fatalf("seed %d: %v completed %d times", seed, id, n)
			}
		}
	}
}

func checkCounters(t *testing.T, seed int64, tb *taskTable) {
	t.Helper()
	count := func(tasks []taskEntry) int {
		n := 0
		for _, e := range tasks {
			if e.state != taskDone {
				n++
			}
		}
		return n
	}
	if m, r := count(tb.maps), count(tb.reduces); m != tb.mapsLeft || r != tb.reducesLeft {
		t.Fatalf("seed %d: counters %d/%d, states say %d/%d", seed, tb.mapsLeft, tb.reducesLeft, m, r)
	}
}
