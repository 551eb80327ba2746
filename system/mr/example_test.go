package mr_test

import (
	"fmt"
	"os"
	"path/filepath"

	"faultline/system/mr"
)

// Sequential is the reference: one output line per key, keys in order.
func ExampleSequential() {
	dir, _ := os.MkdirTemp("", "mr-example-*")
	defer os.RemoveAll(dir)
	input := filepath.Join(dir, "in.txt")
	os.WriteFile(input, []byte("the cat and the hat"), 0o644)
	wc, _ := mr.LookupApp("wc")
	mr.Sequential(wc, []string{input}, os.Stdout)
	// Output:
	// and 1
	// cat 1
	// hat 1
	// the 2
}

// A coordinator and workers in one process, in the course's shape.
func ExampleMakeCoordinator() {
	dir, _ := os.MkdirTemp("", "mr-example-*")
	defer os.RemoveAll(dir)
	input := filepath.Join(dir, "in.txt")
	os.WriteFile(input, []byte("to be or not to be"), 0o644)

	c := mr.MakeCoordinator([]string{input}, 2, mr.WithAddress("127.0.0.1:0"))
	defer c.Close()
	wc, _ := mr.LookupApp("wc")
	for i := 0; i < 2; i++ {
		go mr.Worker(wc.Map, wc.Reduce, mr.WithCoordinator(c.Addr()), mr.WithDir(dir))
	}
	<-c.Finished()
	fmt.Println("done:", c.Done(), c.Err())
	// Output:
	// done: true <nil>
}
