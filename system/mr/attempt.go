package mr

import "time"

// Attempt is one execution of a task, as a timeline shows it.
type Attempt struct {
	Task    TaskID
	Attempt int
	Worker  string
	// Start is when the attempt was handed out; End when its last event
	// (report, expiry) happened, or Start if none did.
	Start, End time.Duration
	// Expired says the attempt outran the task timeout (and the task was
	// handed out again).
	Expired bool
	// Outcome is EventCompleted (its report completed the task),
	// EventIgnored (it reported after the task was done), EventFailed,
	// EventExpired (it never reported), or zero (still running when the
	// timeline ended, or its worker died).
	Outcome EventKind
}

// Attempts summarises a timeline per task attempt, in the order they were
// handed out.
func Attempts(events []Event) []Attempt {
	type key struct {
		task    TaskID
		attempt int
	}
	var out []Attempt
	index := map[key]int{}
	for _, e := range events {
		k := key{e.Task, e.Attempt}
		if e.Kind == EventAssigned {
			index[k] = len(out)
			out = append(out, Attempt{Task: e.Task, Attempt: e.Attempt, Worker: e.Worker, Start: e.At, End: e.At})
			continue
		}
		i, ok := index[k]
		if !ok {
			continue
		}
		a := &out[i]
		switch e.Kind {
		case EventExpired:
			a.Expired = true
			a.End = e.At
			if a.Outcome == 0 {
				a.Outcome = EventExpired
			}
		case EventCompleted, EventIgnored, EventFailed:
			a.End = e.At
			a.Outcome = e.Kind
		}
	}
	return out
}
