package main

import (
	"os"
	"path/filepath"

	"faultline/system/maelstrom/examples/go/internal/counter"
	"faultline/system/maelstrom/examples/node"
)

// nodeDirEnv names the node's own directory, which survives its restarts.
const nodeDirEnv = "MAELSTROM_NODE_DIR"

func main() {
	n := node.New()
	var j counter.Journal
	if dir := os.Getenv(nodeDirEnv); dir != "" {
		j = &fileJournal{path: filepath.Join(dir, "counter.log")}
	}
	counter.Serve(n, func(id string) string { return id }, j)
	n.Main()
}
