package reports

import (
	"bytes"
	"cmp"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"time"
)

// IndexEntry is one run of a results directory, as listed on the index.
type IndexEntry struct {
	// Dir is the run's folder name, relative to the results directory.
	Dir      string
	Name     string
	Started  time.Time
	Verdict  string
	Error    string
	Backend  string
	Workload string
	OpsPerS  float64
	P99US    int64
	// Report says the folder has a report.html.
	Report bool
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
			continue
		}
		e := IndexEntry{Dir: de.Name(), Name: de.Name(), Verdict: Unknown}
		r, err := ReadResults(dir)
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
	return path, writeFile(path, buf.Bytes())
}
