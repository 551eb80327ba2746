package mr

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"time"
)

// The probe apps are the course's test apps that watch how a job runs
// rather than compute something useful. They coordinate through marker
// files in the probe directory: $FAULTLINE_MR_PROBE_DIR, or the current
// directory.

// EnvProbeDir names the directory where probe apps keep their marker files.
const EnvProbeDir = "FAULTLINE_MR_PROBE_DIR"

// EnvProbeWait bounds how long a parallelism probe waits for company (a Go
// duration; default 3s).
const EnvProbeWait = "FAULTLINE_MR_PROBE_WAIT"

func probeDir() string {
	if d := os.Getenv(EnvProbeDir); d != "" {
		return d
	}
	return "."
}

func envDuration(name string, def time.Duration) time.Duration {
	if v := os.Getenv(name); v != "" {
		if d, err := time.ParseDuration(v); err == nil {
			return d
		}
	}
	return def
}

var probeSeq atomic.Int64

// probeMarker creates a marker file "<prefix><pid>-<seq>" in the probe
// directory and returns its path.
func probeMarker(prefix string) (string, error) {
	name := prefix + strconv.Itoa(os.Getpid()) + "-" + strconv.FormatInt(probeSeq.Add(1), 10)
	path := filepath.Join(probeDir(), name)
	return path, os.WriteFile(path, nil, 0o644)
}

// probeCount counts the marker files with prefix whose process is alive.
func probeCount(prefix string) int {
	entries, err := os.ReadDir(probeDir())
	if err != nil {
		return 0
	}
	n := 0
	for _, e := range entries {
		rest, ok := strings.CutPrefix(e.Name(), prefix)
		if !ok {
			continue
		}
		pidText, _, _ := strings.Cut(rest, "-")
		pid, err := strconv.Atoi(pidText)
		if err != nil {
			continue
		}
		if err := syscall.Kill(pid, 0); err == nil || errors.Is(err, syscall.EPERM) {
			n++
		}
	}
	return n
}

// probeParallel announces that a phase's task is running and returns the
// most tasks of that phase it saw running at once (itself included). It
// waits until it has seen another one, or for at most the probe wait, then
// lingers briefly so that the other one can see it too.
func probeParallel(phase string) int {
	prefix := "mr-probe-" + phase + "-"
	marker, err := probeMarker(prefix)
	if err != nil {
		return 0
	}
	defer os.Remove(marker)
	deadline := time.Now().Add(envDuration(EnvProbeWait, 3*time.Second))
	best := 0
	for {
		best = max(best, probeCount(prefix))
		if best >= 2 || !time.Now().Before(deadline) {
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	time.Sleep(100 * time.Millisecond)
	return best
}

// mtimingMap probes map parallelism: it emits ("times-<pid>", "1") and
// ("parallel", n) with n the most map tasks it saw running at once.
func mtimingMap(string, string) []KeyValue {
	n := probeParallel("map")
	return []KeyValue{
		{Key: "times-" + strconv.Itoa(os.Getpid()), Value: "1"},
		{Key: "parallel", Value: strconv.Itoa(n)},
	}
}

// mtimingReduce counts "times-<pid>" pairs and takes the maximum of
// "parallel" ones.
func mtimingReduce(key string, values []string) string {
	if key == "parallel" {
		return maxOf(values)
	}
	return strconv.Itoa(len(values))
}

func maxOf(values []string) string {
	best := 0
	for _, v := range values {
		if n, err := strconv.Atoi(v); err == nil {
			best = max(best, n)
		}
	}
	return strconv.Itoa(best)
}

// rtimingKeys are the keys rtiming's map emits, spread over reduce tasks.
var rtimingKeys = []string{"a", "b", "c", "d", "e", "f", "g", "h", "i", "j"}

// rtimingMap emits one pair per key of rtimingKeys.
func rtimingMap(string, string) []KeyValue {
	kvs := make([]KeyValue, len(rtimingKeys))
	for i, k := range rtimingKeys {
		kvs[i] = KeyValue{Key: k, Value: "1"}
	}
	return kvs
}

// rtimingReduce probes reduce parallelism: it returns the most reduce tasks
// it saw running at once.
func rtimingReduce(string, []string) string {
	return strconv.Itoa(probeParallel("reduce"))
}

// jobcountMap counts map executions: it leaves one marker file per call and
// emits a pair for each of four keys.
func jobcountMap(string, string) []KeyValue {
	if _, err := probeMarker("mr-jobcount-"); err != nil {
		return nil
	}
	return []KeyValue{{Key: "a", Value: "x"}, {Key: "b", Value: "x"}, {Key: "c", Value: "x"}, {Key: "d", Value: "x"}}
}

// jobcountReduce returns the number of map executions so far (every map
// task is done before any reduce task starts).
func jobcountReduce(string, []string) string {
	entries, err := os.ReadDir(probeDir())
	if err != nil {
		return "error"
	}
	n := 0
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), "mr-jobcount-") {
			n++
		}
	}
	return strconv.Itoa(n)
}

// earlyexitMap emits (file name, "1").
func earlyexitMap(filename string, _ string) []KeyValue {
	return []KeyValue{{Key: filepath.Base(filename), Value: "1"}}
}

// earlyexitReduce is slow for a few keys, so that some workers run out of
// tasks well before the job is done (and must not exit then).
func earlyexitReduce(key string, values []string) string {
	if strings.Contains(key, "sherlock") || strings.Contains(key, "tom") {
		time.Sleep(time.Second)
	}
	sorted := slices.Clone(values)
	slices.Sort(sorted)
	return strconv.Itoa(len(sorted))
}
