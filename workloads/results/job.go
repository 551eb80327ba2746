package results

// Job describes a batch (MapReduce) run.
type Job struct {
	App     string   `json:"app"`
	Inputs  []string `json:"inputs"`
	Reduce  int      `json:"reduce"`
	Workers int      `json:"workers"`
	// ElapsedS is the job's wall time; SequentialS the reference run's.
	ElapsedS    float64 `json:"elapsed_s"`
	SequentialS float64 `json:"sequential_s,omitempty"`
	// Verified says the job produced a reference output to compare with
	// (the output check judges it).
	Verified bool `json:"verified"`
	// WorkersStarted counts worker processes started, replacements
	// included; Kills, Stalls and Crashes count worker faults (kills and
	// stalls are the fault schedule's kill and pause windows).
	WorkersStarted int `json:"workers_started"`
	Kills          int `json:"kills"`
	Stalls         int `json:"stalls"`
	Crashes        int `json:"crashes"`
	// Attempts is the per-task timeline, for a Gantt chart by worker.
	Attempts []Attempt `json:"attempts"`
}

// Attempt is one execution of one task of a batch job.
type Attempt struct {
	// Task is "map" or "reduce"; Index its number; Attempt counts from 1.
	Task    string  `json:"task"`
	Index   int     `json:"index"`
	Attempt int     `json:"attempt"`
	Worker  string  `json:"worker"`
	StartS  float64 `json:"start_s"`
	EndS    float64 `json:"end_s"`
	Expired bool    `json:"expired,omitempty"`
	// Outcome is "completed", "ignored", "failed", "expired" or "" (still
	// running when the job ended, or its worker died).
	Outcome string `json:"outcome,omitempty"`
}
