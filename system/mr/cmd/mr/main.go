package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"time"

	"faultline/system/backend"
	"faultline/system/backend/mapreduce"
	"faultline/system/mr"
)

func main() {
	if len(os.Args) < 2 {
		usage()
	}
	var err error
	switch os.Args[1] {
	case "coordinator":
		err = coordinator(os.Args[2:])
	case "worker":
		err = worker(os.Args[2:])
	case "sequential":
		err = sequential(os.Args[2:])
	case "job":
		err = job(os.Args[2:])
	case "node":
		ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
		err = mapreduce.RunNode(ctx, os.Args[2:])
		stop()
	default:
		usage()
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "mr:", err)
		os.Exit(1)
	}
}

func usage() {
	fmt.Fprintln(os.Stderr, "usage: mr coordinator|worker|sequential|job|node [flags] [files...]")
	os.Exit(2)
}

// appUsage describes the -app flag of the worker, sequential and job
// commands.
const appUsage = "built-in app name or plugin path (.so)"

// parseApp defines -app on fs (wc by default), parses args and opens the
// app it names.
func parseApp(fs *flag.FlagSet, args []string) (mr.App, error) {
	name := fs.String("app", "wc", appUsage)
	fs.Parse(args)
	return mr.OpenApp(*name)
}

func coordinator(args []string) error {
	fs := flag.NewFlagSet("coordinator", flag.ExitOnError)
	addr := fs.String("addr", mr.DefaultAddress, "listen address")
	nReduce := fs.Int("nreduce", 10, "number of reduce tasks")
	timeout := fs.Duration("timeout", mr.DefaultTaskTimeout, "task timeout")
	fs.Parse(args)
	c, err := mr.StartCoordinator(fs.Args(), *nReduce, mr.WithAddress(*addr), mr.WithTaskTimeout(*timeout))
	if err != nil {
		return err
	}
	defer c.Close()
	fmt.Fprintln(os.Stderr, "mr: coordinator listening on", c.Addr())
	<-c.Finished()
	// Let idle workers hear that the job is over before the listener goes.
	time.Sleep(time.Second)
	return c.Err()
}

func worker(args []string) error {
	fs := flag.NewFlagSet("worker", flag.ExitOnError)
	addr := fs.String("coordinator", "", "coordinator address (default $"+mr.EnvCoordinator+" or "+mr.DefaultAddress+")")
	dir := fs.String("dir", ".", "shared directory for outputs and intermediates")
	serve := fs.String("serve", "", "serve map output over RPC at this address instead of writing it to -dir")
	id := fs.String("id", "", "worker id")
	app, err := parseApp(fs, args)
	if err != nil {
		return err
	}
	opts := []mr.WorkerOption{mr.WithDir(*dir)}
	if *addr != "" {
		opts = append(opts, mr.WithCoordinator(*addr))
	}
	if *serve != "" {
		opts = append(opts, mr.WithServeIntermediates(*serve, ""))
	}
	if *id != "" {
		opts = append(opts, mr.WithWorkerID(*id))
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	return mr.RunApp(ctx, app, opts...)
}

func sequential(args []string) error {
	fs := flag.NewFlagSet("sequential", flag.ExitOnError)
	out := fs.String("o", "mr-out-0", "output file (- for standard output)")
	app, err := parseApp(fs, args)
	if err != nil {
		return err
	}
	var w io.Writer = os.Stdout
	if *out != "-" {
		f, err := os.Create(*out)
		if err != nil {
			return err
		}
		defer f.Close()
		w = f
	}
	return mr.Sequential(app, fs.Args(), w)
}

func job(args []string) error {
	fs := flag.NewFlagSet("job", flag.ExitOnError)
	var js backend.JobSpec
	fs.StringVar(&js.App, "app", "wc", appUsage)
	workers := fs.Int("workers", 2, "workers")
	fs.IntVar(&js.Reduce, "nreduce", 10, "reduce tasks")
	fs.DurationVar(&js.TaskTimeout, "timeout", mr.DefaultTaskTimeout, "task timeout")
	serve := fs.Bool("serve", false, "workers serve map output over RPC")
	fs.BoolVar(&js.Verify, "verify", true, "compare with the sequential reference")
	inprocess := fs.Bool("inprocess", false, "run workers as goroutines instead of processes")
	dir := fs.String("dir", "", "output directory (default: a temporary one, removed)")
	timeline := fs.Bool("timeline", false, "print every attempt")
	fs.Parse(args)
	js.Inputs = fs.Args()
	work, err := os.MkdirTemp("", "mr-job-*")
	if err != nil {
		return err
	}
	defer os.RemoveAll(work)
	if js.Output = *dir; js.Output == "" {
		js.Output = filepath.Join(work, "output")
		if err := os.Mkdir(js.Output, 0o755); err != nil {
			return err
		}
	}
	exe, err := os.Executable()
	if err != nil {
		return err
	}
	spec := backend.Spec{Nodes: *workers, Mode: backend.ModeProcess, Dir: work, Exec: []string{exe, "node"},
		Options: map[string]string{"serve": fmt.Sprint(*serve)}}
	if *inprocess {
		spec.Mode = backend.ModeInProcess
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	c, err := mapreduce.Backend{}.Start(ctx, spec)
	if err != nil {
		return err
	}
	defer c.Stop(context.Background())
	rep, err := c.(backend.Batch).RunJob(ctx, js)
	verified := "not verified"
	if err == nil && js.Verify {
		if err = mr.CompareOutputs(rep.Output, rep.Reference); err == nil {
			verified = "verified"
		}
	}
	fmt.Printf("job %.3fs  sequential %.3fs  %s  workers %d  crashes %d\n",
		rep.Elapsed.Seconds(), rep.Sequential.Seconds(), verified, rep.WorkersStarted, rep.Crashes)
	if *timeline {
		for _, a := range rep.Attempts {
			fmt.Printf("%-6s %2d #%d  %-4s %7.3fs..%7.3fs  %v expired=%v\n",
				a.Task, a.Index, a.Attempt, a.Worker, a.Start.Seconds(), a.End.Seconds(), a.Outcome, a.Expired)
		}
	}
	return err
}
