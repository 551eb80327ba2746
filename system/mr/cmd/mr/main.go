// Command mr runs MapReduce jobs with package faultline/system/mr.
//
//	mr coordinator [-addr A] [-nreduce N] [-timeout D] files...
//	mr worker [-coordinator A] [-app wc|path.so] [-dir D] [-serve ADDR] [-id ID]
//	mr sequential [-app wc|path.so] [-o FILE] files...
//	mr job [-app A] [-workers N] [-nreduce N] [-timeout D] [-serve] [-verify]
//	       [-kill-every D] [-stall-every D] [-stall-for D] [-max-kills N]
//	       [-max-stalls N] [-seed N] [-dir D] [-timeline] files...
//
// coordinator and worker are the course's mrcoordinator and mrworker;
// sequential is mrsequential (one output file); job runs a whole job with
// worker processes (this program re-executed), optional chaos and
// verification, and prints its timing and per-attempt timeline.
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"time"

	"faultline/system/mr"
)

func main() {
	mr.WorkerProcessMain()
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
	default:
		usage()
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "mr:", err)
		os.Exit(1)
	}
}

func usage() {
	fmt.Fprintln(os.Stderr, "usage: mr coordinator|worker|sequential|job [flags] [files...]")
	os.Exit(2)
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
	appName := fs.String("app", "wc", "built-in app name or plugin path (.so)")
	dir := fs.String("dir", ".", "shared directory for outputs and intermediates")
	serve := fs.String("serve", "", "serve map output over RPC at this address instead of writing it to -dir")
	id := fs.String("id", "", "worker id")
	fs.Parse(args)
	app, err := mr.OpenApp(*appName)
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
	return mr.RunWorker(ctx, app.Map, app.Reduce, opts...)
}

func sequential(args []string) error {
	fs := flag.NewFlagSet("sequential", flag.ExitOnError)
	appName := fs.String("app", "wc", "built-in app name or plugin path (.so)")
	out := fs.String("o", "mr-out-0", "output file (- for standard output)")
	fs.Parse(args)
	app, err := mr.OpenApp(*appName)
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
	var cfg mr.JobConfig
	fs.StringVar(&cfg.App, "app", "wc", "built-in app name or plugin path (.so)")
	fs.IntVar(&cfg.Workers, "workers", 2, "worker processes")
	fs.IntVar(&cfg.NReduce, "nreduce", 10, "reduce tasks")
	fs.DurationVar(&cfg.TaskTimeout, "timeout", mr.DefaultTaskTimeout, "task timeout")
	fs.BoolVar(&cfg.ServeIntermediates, "serve", false, "workers serve map output over RPC")
	fs.BoolVar(&cfg.Verify, "verify", true, "compare with the sequential reference")
	fs.DurationVar(&cfg.Chaos.KillEvery, "kill-every", 0, "mean time between worker kills (0: none)")
	fs.DurationVar(&cfg.Chaos.StallEvery, "stall-every", 0, "mean time between worker stalls (0: none)")
	fs.DurationVar(&cfg.Chaos.StallFor, "stall-for", 0, "stall length (default 2x timeout)")
	fs.IntVar(&cfg.Chaos.MaxKills, "max-kills", 0, "bound on kills (0: none)")
	fs.IntVar(&cfg.Chaos.MaxStalls, "max-stalls", 0, "bound on stalls (0: none)")
	fs.Int64Var(&cfg.Seed, "seed", 1, "chaos seed")
	fs.StringVar(&cfg.Dir, "dir", "", "output directory (default: a temporary one, removed)")
	timeline := fs.Bool("timeline", false, "print every attempt")
	fs.Parse(args)
	cfg.Files = fs.Args()
	cfg.Stderr = os.Stderr
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	res, err := mr.RunJob(ctx, cfg)
	fmt.Printf("job %.3fs  sequential %.3fs  verified %v  workers %d  kills %d  stalls %d  crashes %d\n",
		res.Elapsed.Seconds(), res.Sequential.Seconds(), res.Verified, res.WorkersStarted, res.Kills, res.Stalls, res.Crashes)
	if *timeline {
		for _, a := range res.Attempts {
			fmt.Printf("%-9v #%d  %-6s %7.3fs..%7.3fs  %v expired=%v\n",
				a.Task, a.Attempt, a.Worker, a.Start.Seconds(), a.End.Seconds(), a.Outcome, a.Expired)
		}
	}
	return err
}
