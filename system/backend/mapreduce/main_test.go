package mapreduce

import (
	"os"
	"path/filepath"
	"testing"

	"faultline/internal/nodetest"
)

// nodeMarker, found in the test binary's arguments, makes it run as a
// worker process (the process-mode tests re-execute themselves).
const nodeMarker = "mapreduce-test-node"

func TestMain(m *testing.M) {
	nodetest.Main(m, nodeMarker, RunNode, func() {
		if benchCorpus.dir != "" {
			os.RemoveAll(benchCorpus.dir)
		}
	})
}

// gutenbergFiles returns the lab's corpus, the inputs of the jobs tested
// here.
func gutenbergFiles(t testing.TB) []string {
	t.Helper()
	files, err := filepath.Glob("../../mr/testdata/gutenberg/pg-*.txt")
	if err != nil || len(files) != 8 {
		t.Fatalf("corpus: %v %v", files, err)
	}
	return files
}
