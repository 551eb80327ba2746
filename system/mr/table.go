package mr

import (
	"fmt"
	"time"
)

// taskState is where one task stands.
type taskState uint8

const (
	taskIdle    taskState = iota // waiting for a worker
	taskRunning                  // handed out, deadline not passed
	taskDone                     // a report was accepted
)

// taskEntry is the table's record of one task.
type taskEntry struct {
	state taskState
	// attempts counts assignments; attempt numbers run 1..attempts, the
	// latest being the running one while state is taskRunning.
	attempts int
	// worker and deadline describe the running attempt.
	worker   string
	deadline time.Time
	// location, for a done map task, serves its output ("" = shared dir).
	location string
	// failures counts StatusFailed reports (timeouts and losses excluded).
	failures int
}

// taskTable is the coordinator's deterministic core: the state of every
// task of one job. It has no clock, goroutines or I/O: every method that
// depends on time takes it as an argument, so the same calls always produce
// the same state and the same timeline. The driver (Coordinator) serialises
// calls.
//
// Invariants: mapsLeft and reducesLeft count the entries of maps and
// reduces not in taskDone; no reduce task is handed out while mapsLeft > 0;
// a task is done at most once until a StatusLost report (maps only) makes it
// idle again.
type taskTable struct {
	start       time.Time
	timeout     time.Duration
	maxFailures int

	files       []string
	nReduce     int
	maps        []taskEntry
	reduces     []taskEntry
	mapsLeft    int
	reducesLeft int

	failed string // non-empty once the job is abandoned
	events []Event
}

// newTaskTable returns the table of a job over files with nReduce reduce
// tasks, started at start. A task not reported within timeout is handed out
// again; a task reported failed maxFailures times fails the job.
func newTaskTable(files []string, nReduce int, timeout time.Duration, maxFailures int, start time.Time) *taskTable {
	return &taskTable{
		start:       start,
		timeout:     timeout,
		maxFailures: maxFailures,
		files:       append([]string(nil), files...),
		nReduce:     nReduce,
		maps:        make([]taskEntry, len(files)),
		reduces:     make([]taskEntry, nReduce),
		mapsLeft:    len(files),
		reducesLeft: nReduce,
	}
}

func (t *taskTable) record(now time.Time, e Event) {
	e.At = now.Sub(t.start)
	t.events = append(t.events, e)
}

// done reports whether the job is over: every reduce task done, or the job
// abandoned.
func (t *taskTable) done() bool { return t.reducesLeft == 0 || t.failed != "" }

// err describes why the job was abandoned, or is nil.
func (t *taskTable) err() error {
	if t.failed == "" {
		return nil
	}
	return fmt.Errorf("mr: job failed: %s", t.failed)
}

func (t *taskTable) entry(id TaskID) *taskEntry {
	switch id.Kind {
	case MapTask:
		if id.Index >= 0 && id.Index < len(t.maps) {
			return &t.maps[id.Index]
		}
	case ReduceTask:
		if id.Index >= 0 && id.Index < len(t.reduces) {
			return &t.reduces[id.Index]
		}
	}
	return nil
}

// expire makes every running task whose deadline has passed by now idle
// again.
func (t *taskTable) expire(now time.Time) {
	for _, kind := range []TaskKind{MapTask, ReduceTask} {
		tasks := t.maps
		if kind == ReduceTask {
			tasks = t.reduces
		}
		for i := range tasks {
			e := &tasks[i]
			if e.state == taskRunning && !now.Before(e.deadline) {
				e.state = taskIdle
				t.record(now, Event{Kind: EventExpired, Task: TaskID{kind, i}, Attempt: e.attempts, Worker: e.worker})
			}
		}
	}
}

// nextDeadline returns the earliest deadline of a running task.
func (t *taskTable) nextDeadline() (time.Time, bool) {
	var first time.Time
	found := false
	for _, tasks := range [][]taskEntry{t.maps, t.reduces} {
		for i := range tasks {
			if e := &tasks[i]; e.state == taskRunning && (!found || e.deadline.Before(first)) {
				first, found = e.deadline, true
			}
		}
	}
	return first, found
}

// assign answers worker's request for a task at time now: the lowest idle
// map task, else (once every map task is done) the lowest idle reduce task,
// else wait, or exit once the job is over.
func (t *taskTable) assign(worker string, now time.Time) TaskReply {
	t.expire(now)
	if t.done() {
		return TaskReply{Action: ActionExit}
	}
	id, ok := TaskID{}, false
	if t.mapsLeft > 0 {
		id, ok = firstIdle(t.maps, MapTask)
	} else {
		id, ok = firstIdle(t.reduces, ReduceTask)
	}
	if !ok {
		return TaskReply{Action: ActionWait}
	}
	e := t.entry(id)
	e.state = taskRunning
	e.attempts++
	e.worker = worker
	e.deadline = now.Add(t.timeout)
	t.record(now, Event{Kind: EventAssigned, Task: id, Attempt: e.attempts, Worker: worker})
	reply := TaskReply{
		Action:  ActionRun,
		Task:    id,
		Attempt: e.attempts,
		NMap:    len(t.maps),
		NReduce: t.nReduce,
	}
	if id.Kind == MapTask {
		reply.File = t.files[id.Index]
	} else {
		reply.Sources = make([]string, len(t.maps))
		for i := range t.maps {
			reply.Sources[i] = t.maps[i].location
		}
	}
	return reply
}

func firstIdle(tasks []taskEntry, kind TaskKind) (TaskID, bool) {
	for i := range tasks {
		if tasks[i].state == taskIdle {
			return TaskID{kind, i}, true
		}
	}
	return TaskID{}, false
}

// report applies a worker's report at time now and says whether it was
// accepted. A StatusDone report of any attempt ever handed out completes the
// task unless it is done already (late results of a reassigned task are as
// good as the new attempt's, since both ran to completion). StatusFailed and
// StatusLost reports count only for the running attempt.
func (t *taskTable) report(r *TaskReport, now time.Time) bool {
	t.expire(now)
	e := t.entry(r.Task)
	ev := Event{Task: r.Task, Attempt: r.Attempt, Worker: r.Worker}
	if e == nil || r.Attempt < 1 || r.Attempt > e.attempts {
		ev.Kind, ev.Detail = EventIgnored, "unknown task or attempt"
		t.record(now, ev)
		return false
	}
	current := e.state == taskRunning && r.Attempt == e.attempts
	switch r.Status {
	case StatusDone:
		if e.state == taskDone {
			ev.Kind, ev.Detail = EventIgnored, "already done"
			t.record(now, ev)
			return false
		}
		e.state = taskDone
		e.location = r.Location
		ev.Kind = EventCompleted
		t.record(now, ev)
		if r.Task.Kind == MapTask {
			t.mapsLeft--
		} else {
			t.reducesLeft--
			if t.reducesLeft == 0 && t.failed == "" {
				t.record(now, Event{Kind: EventJobDone})
			}
		}
		return true
	case StatusFailed:
		if !current {
			ev.Kind, ev.Detail = EventIgnored, "stale failure: "+r.Err
			t.record(now, ev)
			return false
		}
		e.state = taskIdle
		e.failures++
		ev.Kind, ev.Detail = EventFailed, r.Err
		t.record(now, ev)
		if e.failures >= t.maxFailures && t.failed == "" {
			t.failed = fmt.Sprintf("%v failed %d times, last: %s", r.Task, e.failures, r.Err)
			t.record(now, Event{Kind: EventJobFailed, Task: r.Task, Detail: t.failed})
		}
		return true
	case StatusLost:
		if !current || r.Task.Kind != ReduceTask {
			ev.Kind, ev.Detail = EventIgnored, "stale or invalid loss report"
			t.record(now, ev)
			return false
		}
		e.state = taskIdle
		ev.Kind, ev.Detail = EventFailed, fmt.Sprintf("map %d output lost at %q: %s", r.LostMap, r.LostFrom, r.Err)
		t.record(now, ev)
		if r.LostMap >= 0 && r.LostMap < len(t.maps) {
			m := &t.maps[r.LostMap]
			if m.state == taskDone && m.location == r.LostFrom {
				m.state = taskIdle
				m.location = ""
				t.mapsLeft++
				t.record(now, Event{Kind: EventLost, Task: TaskID{MapTask, r.LostMap}, Detail: r.LostFrom})
			}
		}
		return true
	}
	ev.Kind, ev.Detail = EventIgnored, fmt.Sprintf("unknown status %d", r.Status)
	t.record(now, ev)
	return false
}
