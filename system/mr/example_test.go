package mr_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"time"

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

// RunJob runs a verified job with worker processes (the calling program
// must call mr.WorkerProcessMain first thing in main) and kills one of them
// once a second.
func ExampleRunJob() {
	res, err := mr.RunJob(context.Background(), mr.JobConfig{
		App:     "wc",
		Files:   []string{"pg-1.txt", "pg-2.txt"},
		Workers: 3,
		Chaos:   mr.Chaos{KillEvery: time.Second, MaxKills: 5},
		Verify:  true,
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("job %v, sequential %v\n", res.Elapsed, res.Sequential)
	for _, a := range res.Attempts {
		fmt.Println(a.Task, a.Attempt, a.Worker, a.Start, a.End, a.Outcome)
	}
}
