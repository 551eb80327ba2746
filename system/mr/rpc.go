package mr

import (
	"time"

	"faultline/internal/names"
)

// The RPCs between workers and the coordinator (service "Coordinator") and
// between workers (service "MapOutputs"). Every field is exported so that the
// wire codec sees it.

// Action tells a worker what to do next.
type Action uint8

// The actions a coordinator can answer a task request with.
const (
	// ActionWait: no task is available now; ask again.
	ActionWait Action = iota + 1
	// ActionRun: run the task described by the reply.
	ActionRun
	// ActionExit: the job is over; exit.
	ActionExit
)

// String returns "wait", "run" or "exit".
func (a Action) String() string { return names.Of(a, "Action", ActionWait, "wait", "run", "exit") }

// TaskRequest is the argument of Coordinator.RequestTask.
type TaskRequest struct {
	// Worker names the asking worker, for the timeline.
	Worker string
	// MaxWait is how long the coordinator may hold the request when no
	// task is ready, rather than answer ActionWait at once.
	MaxWait time.Duration
}

// TaskReply is the answer of Coordinator.RequestTask.
type TaskReply struct {
	Action Action
	// Task and Attempt identify the assignment; the worker quotes both in
	// its report.
	Task    TaskID
	Attempt int
	// File is a map task's input file.
	File string
	// NMap and NReduce are the job's numbers of map and reduce tasks.
	NMap    int
	NReduce int
	// Sources, for a reduce task, holds for every map task the address of
	// the worker serving its output, or "" when it is in the shared
	// directory.
	Sources []string
}

// ReportStatus is the outcome a worker reports for one attempt.
type ReportStatus uint8

// The report statuses.
const (
	// StatusDone: the attempt finished and its output is in place.
	StatusDone ReportStatus = iota + 1
	// StatusFailed: the attempt failed (Err says why); run it again.
	StatusFailed
	// StatusLost: a reduce attempt could not read the output of map task
	// LostMap from LostFrom; run that map task again, then this task.
	StatusLost
)

// TaskReport is the argument of Coordinator.ReportTask.
type TaskReport struct {
	Worker  string
	Task    TaskID
	Attempt int
	Status  ReportStatus
	// Location, for a done map task, is the address serving its output,
	// or "" when it was written to the shared directory.
	Location string
	// LostMap and LostFrom name the unreadable map output of a StatusLost
	// report.
	LostMap  int
	LostFrom string
	// Err describes a failure.
	Err string
}

// ReportReply is the answer of Coordinator.ReportTask.
type ReportReply struct {
	// Accepted says the report changed the task's state (false for a late
	// or duplicate report).
	Accepted bool
}

// FetchArgs is the argument of MapOutputs.Fetch: read up to Max bytes of
// the output of map task Map for reduce task Reduce, from Offset.
type FetchArgs struct {
	Map    int
	Reduce int
	Offset int64
	Max    int
}

// FetchReply is the answer of MapOutputs.Fetch.
type FetchReply struct {
	// Found is false when this worker does not hold that output.
	Found bool
	// Data is the chunk read; EOF says it reaches the end of the output.
	Data []byte
	EOF  bool
}
