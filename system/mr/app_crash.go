package mr

import (
	"hash/fnv"
	"math/rand/v2"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
)

// The crash app ends or stalls its process at random on every map and
// reduce call; nocrash computes the same output without. Their behaviour is
// tuned by environment variables (read once per process).
const (
	// EnvCrashSeed seeds the crash decisions (an integer; default: the
	// time), together with EnvWorkerID.
	EnvCrashSeed = "FAULTLINE_MR_CRASH_SEED"
	// EnvWorkerID names the worker process, and should differ between
	// processes (restarts included) so that their crash decisions differ;
	// whoever starts worker processes sets it.
	EnvWorkerID = "FAULTLINE_MR_WORKER_ID"
	// EnvCrashExit is the probability that a call exits the process
	// (default 0.33).
	EnvCrashExit = "FAULTLINE_MR_CRASH_EXIT"
	// EnvCrashStall is the probability that a call stalls (default 0.33).
	EnvCrashStall = "FAULTLINE_MR_CRASH_STALL"
	// EnvCrashStallMax bounds a stall, a Go duration (default 10s); stalls
	// are uniform in [0, max).
	EnvCrashStallMax = "FAULTLINE_MR_CRASH_STALL_MAX"
)

var crash struct {
	once     sync.Once
	mu       sync.Mutex
	rng      *rand.Rand
	exit     float64
	stall    float64
	stallMax time.Duration
}

func envFloat(name string, def float64) float64 {
	if v := os.Getenv(name); v != "" {
		if f, err := strconv.ParseFloat(v, 64); err == nil && f >= 0 && f <= 1 {
			return f
		}
	}
	return def
}

// maybeCrash exits the process, stalls, or returns, at random.
func maybeCrash() {
	crash.once.Do(func() {
		seed, stream := uint64(time.Now().UnixNano()), uint64(os.Getpid())
		if v, err := strconv.ParseInt(os.Getenv(EnvCrashSeed), 10, 64); err == nil {
			// Reproducible, yet different for every worker process.
			h := fnv.New64a()
			h.Write([]byte(os.Getenv(EnvWorkerID)))
			seed, stream = uint64(v), h.Sum64()
		}
		crash.rng = rand.New(rand.NewPCG(seed, stream))
		crash.exit = envFloat(EnvCrashExit, 0.33)
		crash.stall = envFloat(EnvCrashStall, 0.33)
		crash.stallMax = envDuration(EnvCrashStallMax, 10*time.Second)
	})
	crash.mu.Lock()
	p := crash.rng.Float64()
	var d time.Duration
	if crash.stallMax > 0 {
		d = time.Duration(crash.rng.Int64N(int64(crash.stallMax)))
	}
	crash.mu.Unlock()
	switch {
	case p < crash.exit:
		os.Exit(1)
	case p < crash.exit+crash.stall:
		time.Sleep(d)
	}
}

// crashMap is nocrashMap after maybeCrash.
func crashMap(filename string, contents string) []KeyValue {
	maybeCrash()
	return nocrashMap(filename, contents)
}

// crashReduce is nocrashReduce after maybeCrash.
func crashReduce(key string, values []string) string {
	maybeCrash()
	return nocrashReduce(key, values)
}

// nocrashMap emits four facts about the input file.
func nocrashMap(filename string, contents string) []KeyValue {
	return []KeyValue{
		{Key: "a", Value: filename},
		{Key: "b", Value: strconv.Itoa(len(filename))},
		{Key: "c", Value: strconv.Itoa(len(contents))},
		{Key: "d", Value: "xyzzy"},
	}
}

// nocrashReduce joins the sorted values with spaces.
func nocrashReduce(_ string, values []string) string {
	sorted := slices.Clone(values)
	slices.Sort(sorted)
	return strings.Join(sorted, " ")
}
