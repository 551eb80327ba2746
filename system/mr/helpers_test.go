package mr

import (
	"bytes"
	"context"
	"path/filepath"
	"testing"

	"faultline/internal/nodetest"
	"faultline/system/backend/nodeproc"
)

// workerMarker, found in the test binary's arguments, makes it run as a
// worker process (the process tests re-execute themselves).
const workerMarker = "mr-test-worker"

func TestMain(m *testing.M) { nodetest.Main(m, workerMarker, runTestWorker) }

// runTestWorker is a worker process's body: args are a WorkerConfig.
func runTestWorker(ctx context.Context, args []string) error {
	var cfg WorkerConfig
	if err := nodeproc.DecodeArgs(args, &cfg); err != nil {
		return err
	}
	return cfg.Run(ctx)
}

// gutenbergFiles returns the absolute paths of the corpus files.
func gutenbergFiles(t testing.TB) []string {
	t.Helper()
	files, err := filepath.Glob("testdata/gutenberg/pg-*.txt")
	if err != nil || len(files) != 8 {
		t.Fatalf("corpus: %v %v", files, err)
	}
	for i, f := range files {
		if files[i], err = filepath.Abs(f); err != nil {
			t.Fatal(err)
		}
	}
	return files
}

// outputLines returns every line of dir's mr-out-* files, sorted.
func outputLines(t testing.TB, dir string) []string {
	t.Helper()
	lines, err := OutputLines(dir)
	if err != nil {
		t.Fatal(err)
	}
	return lines
}

// sequentialLines returns the reference output of app over files, sorted.
func sequentialLines(t testing.TB, app string, files []string) []string {
	t.Helper()
	a, err := LookupApp(app)
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	if err := Sequential(a, files, &out); err != nil {
		t.Fatal(err)
	}
	return sortedLines(out.Bytes())
}
