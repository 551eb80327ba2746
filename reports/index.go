package reports

import (
	"bytes"
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"faultline/workloads/checker"
	"faultline/workloads/results"
)

// IndexEntry is one run of a results directory, as listed on the index.
type IndexEntry struct {
	// Dir is the run's folder name, relative to the results directory.
	Dir      string
	Name     string
	Started  time.Time
	Verdict  checker.Verdict
	Error    string
	Backend  string
	Workload string
	OpsPerS  float64
	P99US    int64
	// Report says the folder has a report.html.
	Report bool
	// Comparison says the folder is a benchmark of several backends
	// (compare.json and compare.html, with its runs inside).
	Comparison bool
}

// Scan lists the runs of a results directory (each sub-folder holding a
// readable results.json), newest first. Folders that are not runs are
// skipped; a results.json that cannot be read is listed with its error.
func Scan(root string) ([]IndexEntry, error) {
	des, err := os.ReadDir(root)
	if err != nil {
		return nil, fmt.Errorf("reports: %w", err)
	}
	var out []IndexEntry
	for _, de := range des {
		if !de.IsDir() {
			continue
		}
		dir := filepath.Join(root, de.Name())
		if _, err := os.Stat(filepath.Join(dir, "results.json")); errors.Is(err, fs.ErrNotExist) {
			if e, ok := scanComparison(dir, de.Name()); ok {
				out = append(out, e)
			}
			continue
		}
		e := IndexEntry{Dir: de.Name(), Name: de.Name(), Verdict: checker.Unknown}
		r, err := results.Read(dir)
		if err != nil {
			e.Error = err.Error()
		} else {
			e.Name, e.Started, e.Verdict, e.Error = r.Name, r.Started, r.Verdict, r.Error
			e.Backend, e.Workload = r.Backend, r.Workload
			e.OpsPerS, e.P99US = r.Ops["all"].OpsPerSec, r.Ops["all"].P99US
		}
		if _, err := os.Stat(filepath.Join(dir, "report.html")); err == nil {
			e.Report = true
		}
		out = append(out, e)
	}
	slices.SortStableFunc(out, func(a, b IndexEntry) int {
		return cmp.Or(b.Started.Compare(a.Started), cmp.Compare(b.Dir, a.Dir))
	})
	return out, nil
}

// scanComparison lists a benchmark folder (one holding compare.json): its
// name, the backends compared, the worst verdict of its runs, and its start
// time from the folder name the harness gives it (TIME-NAME).
func scanComparison(dir, name string) (IndexEntry, bool) {
	b, err := os.ReadFile(filepath.Join(dir, "compare.json"))
	if err != nil {
		return IndexEntry{}, false
	}
	e := IndexEntry{Dir: name, Name: name, Verdict: checker.Unknown, Comparison: true, Workload: "comparison"}
	if t, err := time.Parse("20060102-150405", cut(name, 15)); err == nil {
		e.Started = t
	}
	var bm Benchmark
	if err := json.Unmarshal(b, &bm); err != nil {
		e.Error = fmt.Sprintf("compare.json: %v", err)
		return e, true
	}
	e.Name = bm.Name
	var verdicts []checker.Verdict
	var backends []string
	for _, c := range bm.Cases {
		for _, x := range c.Backends {
			verdicts = append(verdicts, x.Verdict)
			if !slices.Contains(backends, x.Backend) {
				backends = append(backends, x.Backend)
			}
		}
	}
	e.Verdict = checker.MergeAll(verdicts...)
	e.Backend = strings.Join(backends, " vs ")
	_, err = os.Stat(filepath.Join(dir, "compare.html"))
	e.Report = err == nil
	return e, true
}

func cut(s string, n int) string {
	if len(s) < n {
		return s
	}
	return s[:n]
}

// WriteIndexPage renders the index of entries.
func WriteIndexPage(w io.Writer, title string, entries []IndexEntry) error {
	return execute(w, "index", &page{Title: title, Assets: pageAssets, Index: entries})
}

// WriteIndex scans a results directory and writes its index.html. It
// returns the file's path.
func WriteIndex(root string) (string, error) {
	entries, err := Scan(root)
	if err != nil {
		return "", err
	}
	var buf bytes.Buffer
	if err := WriteIndexPage(&buf, "Faultline runs in "+filepath.Base(root), entries); err != nil {
		return "", err
	}
	path := filepath.Join(root, "index.html")
	return path, results.WriteFile(path, buf.Bytes())
}
