package mr

import (
	"fmt"
	"strconv"
	"time"

	"faultline/internal/names"
)

// TaskKind says whether a task maps or reduces.
type TaskKind uint8

// The task kinds. The zero value is no task.
const (
	MapTask TaskKind = iota + 1
	ReduceTask
)

// String returns "map" or "reduce".
func (k TaskKind) String() string { return names.Of(k, "TaskKind", MapTask, "map", "reduce") }

// TaskID names one task of a job: map task Index reads input file Index,
// reduce task Index writes mr-out-Index.
type TaskID struct {
	Kind  TaskKind
	Index int
}

// String returns "map 3" or "reduce 0".
func (id TaskID) String() string { return id.Kind.String() + " " + strconv.Itoa(id.Index) }

// EventKind classifies a timeline event.
type EventKind uint8

// The event kinds, all from the coordinator's task table.
const (
	// EventAssigned: the task was handed to Worker as attempt Attempt.
	EventAssigned EventKind = iota + 1
	// EventCompleted: Worker's report of attempt Attempt was accepted; the
	// task is done.
	EventCompleted
	// EventIgnored: a report of a task already done (a late attempt) or of
	// an unknown attempt was ignored.
	EventIgnored
	// EventExpired: attempt Attempt did not finish within the task timeout;
	// the task is idle again and will be handed to another worker.
	EventExpired
	// EventFailed: Worker reported that attempt Attempt failed (Detail says
	// why); the task is idle again.
	EventFailed
	// EventLost: the output of a done map task could not be fetched from
	// where it was served; the map task runs again.
	EventLost
	// EventJobDone: every reduce task is done.
	EventJobDone
	// EventJobFailed: a task failed too often; the job is abandoned.
	EventJobFailed
)

// String returns the event kind's name, such as "assigned".
func (k EventKind) String() string {
	return names.Of(k, "EventKind", EventAssigned,
		"assigned", "completed", "ignored", "expired", "failed", "lost", "job-done", "job-failed")
}

// Event is one entry of a job's timeline.
type Event struct {
	// At is the time since the coordinator started.
	At time.Duration
	// Kind says what happened.
	Kind EventKind
	// Task is the task concerned; zero for job and worker events.
	Task TaskID
	// Attempt numbers the task's assignments from 1; zero if not about one.
	Attempt int
	// Worker is the worker concerned, if any.
	Worker string
	// Detail is free text: a failure's reason, a process's exit status.
	Detail string
}

// String formats e on one line, stable for golden tests:
// "1.250s assigned map 3 #2 worker=w1".
func (e Event) String() string {
	s := fmt.Sprintf("%.3fs %v", e.At.Seconds(), e.Kind)
	if e.Task.Kind != 0 {
		s += " " + e.Task.String()
	}
	if e.Attempt != 0 {
		s += " #" + strconv.Itoa(e.Attempt)
	}
	if e.Worker != "" {
		s += " worker=" + e.Worker
	}
	if e.Detail != "" {
		s += " (" + e.Detail + ")"
	}
	return s
}
