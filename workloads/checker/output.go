package checker

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
)

// Output checks a batch job's output against its reference: the lines of
// every file in JobReport.Output, taken together and sorted, must equal
// those of JobReport.Reference (blank lines aside; a file whose name starts
// with '.' is not output). Valid when they are equal; Invalid when they
// differ, naming the first differing line and the file it comes from;
// Unknown when there is no reference (the job was not verified) or no job.
type Output struct{}

// Name returns "output".
func (Output) Name() string { return "output" }

// Check implements Checker.
func (Output) Check(_ context.Context, r Run) Result {
	res := Result{Checker: "output"}
	j := r.Job
	switch {
	case j == nil:
		res.Text = "no batch job to check"
		return res
	case j.Reference == "":
		res.Text = "output not verified (no reference output)"
		return res
	}
	got, err := outputLines(j.Output)
	if err == nil {
		var want []line
		want, err = outputLines(j.Reference)
		if err == nil {
			res.Verdict, res.Text = compareLines(got, want)
			if res.Verdict == Valid {
				res.Text += fmt.Sprintf(" (job %.2fs, sequential %.2fs)", j.Elapsed.Seconds(), j.Sequential.Seconds())
			}
			return res
		}
	}
	res.Text = fmt.Sprintf("cannot check: %v", err)
	return res
}

// line is one output line and where it came from.
type line struct {
	text string
	file string
	n    int
}

// outputLines reads every non-blank line of the output files in dir,
// sorted by text.
func outputLines(dir string) ([]line, error) {
	ents, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("output: %w", err)
	}
	var out []line
	for _, e := range ents {
		if !e.Type().IsRegular() || strings.HasPrefix(e.Name(), ".") {
			continue
		}
		f, err := os.Open(filepath.Join(dir, e.Name()))
		if err != nil {
			return nil, fmt.Errorf("output: %w", err)
		}
		sc := bufio.NewScanner(f)
		sc.Buffer(make([]byte, 64<<10), 16<<20)
		for n := 1; sc.Scan(); n++ {
			if t := sc.Text(); strings.TrimSpace(t) != "" {
				out = append(out, line{text: t, file: e.Name(), n: n})
			}
		}
		err = sc.Err()
		f.Close()
		if err != nil {
			return nil, fmt.Errorf("output: %s: %w", e.Name(), err)
		}
	}
	slices.SortStableFunc(out, func(a, b line) int { return strings.Compare(a.text, b.text) })
	return out, nil
}

// compareLines compares sorted output with sorted reference lines.
func compareLines(got, want []line) (Verdict, string) {
	for i := range min(len(got), len(want)) {
		g, w := got[i], want[i]
		if g.text == w.text {
			continue
		}
		if g.text < w.text {
			return Invalid, fmt.Sprintf("output differs from the reference: %s line %d %q is not in the reference (%s line %d there is %q)",
				g.file, g.n, g.text, w.file, w.n, w.text)
		}
		return Invalid, fmt.Sprintf("output differs from the reference: reference %s line %d %q is missing from the output", w.file, w.n, w.text)
	}
	switch {
	case len(got) > len(want):
		g := got[len(want)]
		return Invalid, fmt.Sprintf("output differs from the reference: %s line %d %q is not in the reference (%d lines, reference %d)",
			g.file, g.n, g.text, len(got), len(want))
	case len(got) < len(want):
		w := want[len(got)]
		return Invalid, fmt.Sprintf("output differs from the reference: reference %s line %d %q is missing from the output (%d lines, reference %d)",
			w.file, w.n, w.text, len(got), len(want))
	}
	return Valid, "output equals the reference"
}
