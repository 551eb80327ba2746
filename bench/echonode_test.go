package main

import (
	"bufio"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"testing"
)

// echoNodeName is the name under which the bench test binary, executed
// again, is a Maelstrom echo node instead of a test run: the node program
// of the maelstrom backend's clusters in these tests.
const echoNodeName = "faultline-test-echo-node"

func init() {
	if filepath.Base(os.Args[0]) == echoNodeName {
		os.Exit(echoNodeMain(os.Stdin, os.Stdout))
	}
}

// echoNodeMain serves Maelstrom's init and echo; any other request gets
// not-supported (code 10).
func echoNodeMain(in io.Reader, out io.Writer) int {
	sc := bufio.NewScanner(in)
	sc.Buffer(nil, 1<<20)
	w := bufio.NewWriter(out)
	for sc.Scan() {
		var m struct {
			Src, Dest string
			Body      map[string]any
		}
		if err := json.Unmarshal(sc.Bytes(), &m); err != nil {
			return 1
		}
		if _, isReply := m.Body["in_reply_to"]; isReply {
			continue
		}
		body := map[string]any{"in_reply_to": m.Body["msg_id"]}
		switch m.Body["type"] {
		case "init":
			body["type"] = "init_ok"
		case "echo":
			body["type"], body["echo"] = "echo_ok", m.Body["echo"]
		default:
			body["type"], body["code"], body["text"] = "error", 10, "not supported"
		}
		line, _ := json.Marshal(map[string]any{"src": m.Dest, "dest": m.Src, "body": body})
		w.Write(append(line, '\n'))
		if err := w.Flush(); err != nil {
			return 1
		}
	}
	return 0
}

// echoNode puts the test binary in PATH as echoNodeName and returns that
// name, for the maelstrom backend's option bin.
func echoNode(t *testing.T) string {
	t.Helper()
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	if err := os.Symlink(exe, filepath.Join(dir, echoNodeName)); err != nil {
		t.Fatal(err)
	}
	t.Setenv("PATH", dir+string(os.PathListSeparator)+os.Getenv("PATH"))
	return echoNodeName
}
