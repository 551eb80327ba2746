package mr

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
)

// ErrMismatch says a job's output differs from the reference output.
var ErrMismatch = errors.New("mr: job output differs from sequential output")

// OutputLines returns every line of dir's output files (mr-out-*),
// sorted: a job's output as a set of lines, whatever its partitioning.
func OutputLines(dir string) ([]string, error) {
	files, err := filepath.Glob(filepath.Join(dir, "mr-out-*"))
	if err != nil {
		return nil, fmt.Errorf("mr: output: %w", err)
	}
	var all bytes.Buffer
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			return nil, fmt.Errorf("mr: output: %w", err)
		}
		all.Write(b)
	}
	return sortedLines(all.Bytes()), nil
}

// CompareOutputs compares the output files of two directories (a job's
// and a reference run's) as sorted lines; a difference is ErrMismatch,
// naming the first differing line.
func CompareOutputs(got, want string) error {
	g, err := OutputLines(got)
	if err != nil {
		return err
	}
	w, err := OutputLines(want)
	if err != nil {
		return err
	}
	return diffLines(g, w)
}

// sortedLines returns the lines of b, sorted.
func sortedLines(b []byte) []string {
	s := strings.TrimSuffix(string(b), "\n")
	if s == "" {
		return nil
	}
	lines := strings.Split(s, "\n")
	slices.Sort(lines)
	return lines
}

// diffLines returns ErrMismatch naming the first difference between two
// sorted outputs, or nil if they are equal.
func diffLines(got, want []string) error {
	for i := range max(len(got), len(want)) {
		var g, w string
		if i < len(got) {
			g = got[i]
		}
		if i < len(want) {
			w = want[i]
		}
		if g != w {
			return fmt.Errorf("%w: line %d: got %q, want %q (%d vs %d lines)", ErrMismatch, i, g, w, len(got), len(want))
		}
	}
	return nil
}
