package mr

import (
	"bufio"
	"fmt"
	"io"
	"os"
)

// Sequential is the reference implementation, the course's mrsequential: it
// maps every file in order in the calling goroutine, groups all pairs by
// key and writes one line "key value\n" per key, in increasing key order,
// to w. A job's outputs mr-out-* hold the same lines, spread over files.
func Sequential(app App, files []string, w io.Writer) error {
	g := newGrouper()
	for _, name := range files {
		data, err := os.ReadFile(name)
		if err != nil {
			return fmt.Errorf("mr: sequential: %w", err)
		}
		g.addAll(app.Map(name, bytesToString(data)))
	}
	bw := bufio.NewWriterSize(w, 256<<10)
	if err := g.reduceTo(bw, app.Reduce); err != nil {
		return fmt.Errorf("mr: sequential: %w", err)
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("mr: sequential: %w", err)
	}
	return nil
}
