package mr

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func TestMain(m *testing.M) {
	WorkerProcessMain()
	code := m.Run()
	if benchCorpus.dir != "" {
		os.RemoveAll(benchCorpus.dir)
	}
	os.Exit(code)
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

// sortedLines returns the lines of b, sorted.
func sortedLines(b []byte) []string {
	lines := strings.Split(strings.TrimSuffix(string(b), "\n"), "\n")
	if len(lines) == 1 && lines[0] == "" {
		lines = nil
	}
	slices.Sort(lines)
	return lines
}

// outputLines returns every line of dir's mr-out-* files, sorted.
func outputLines(t testing.TB, dir string) []string {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(dir, "mr-out*"))
	if err != nil {
		t.Fatal(err)
	}
	var all bytes.Buffer
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		all.Write(b)
	}
	return sortedLines(all.Bytes())
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

// diffLines describes the first difference between two sorted outputs.
func diffLines(got, want []string) string {
	for i := 0; i < max(len(got), len(want)); i++ {
		var g, w string
		if i < len(got) {
			g = got[i]
		}
		if i < len(want) {
			w = want[i]
		}
		if g != w {
			return fmt.Sprintf("line %d: got %q, want %q (%d vs %d lines)", i, g, w, len(got), len(want))
		}
	}
	return ""
}
