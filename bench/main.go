package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"maps"
	"os"
	"os/signal"
	"slices"
	"strings"
	"syscall"

	"faultline/workloads/checker"
)

// Exit statuses: each is the ExitCode of a verdict, the one mapping.
var (
	exitValid   = checker.Valid.ExitCode()
	exitInvalid = checker.Invalid.ExitCode()
	exitUnknown = checker.Unknown.ExitCode()
	exitFailed  = checker.Failed.ExitCode()
)

func main() {
	reg := newRegistries()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	go func() {
		// The first signal winds the run down (heal, stop the cluster,
		// check what was recorded); a second one kills the harness.
		<-ctx.Done()
		stop()
	}()
	code := run(ctx, reg, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// subcommand runs one of bench's subcommands on the arguments after its
// name.
type subcommand func(ctx context.Context, reg *registries, args []string, stdout, stderr io.Writer) int

// subcommands are bench's subcommands by name: the one list that run
// dispatches on and that the unknown-argument message names.
var subcommands = map[string]subcommand{
	"check": func(ctx context.Context, _ *registries, args []string, stdout, stderr io.Writer) int {
		return cmdCheck(ctx, args, stdout, stderr)
	},
	"list": func(_ context.Context, reg *registries, _ []string, stdout, _ io.Writer) int {
		return cmdList(reg, stdout)
	},
	"serve": func(ctx context.Context, _ *registries, args []string, stdout, stderr io.Writer) int {
		return cmdServe(ctx, args, stdout, stderr)
	},
	"compare": func(_ context.Context, _ *registries, args []string, stdout, stderr io.Writer) int {
		return cmdCompare(args, stdout, stderr)
	},
	"node": func(ctx context.Context, reg *registries, args []string, _, stderr io.Writer) int {
		return cmdNode(ctx, reg, args, stderr)
	},
	"maelstrom": cmdMaelstrom,
	"help": func(_ context.Context, _ *registries, _ []string, stdout, _ io.Writer) int {
		usage(stdout)
		return exitValid
	},
}

// run dispatches a command line and returns the exit status.
func run(ctx context.Context, reg *registries, args []string, stdout, stderr io.Writer) int {
	if len(args) > 0 {
		if cmd, ok := subcommands[args[0]]; ok {
			return cmd(ctx, reg, args[1:], stdout, stderr)
		}
	}
	return cmdRun(ctx, reg, args, stdout, stderr)
}

func usage(w io.Writer) {
	fmt.Fprint(w, `usage:
  bench [flags]                 run a workload (the default one, or -config FILE); a config
                                with a compare section runs several backends in alternating
                                rounds and writes a benchmark page (compare.html)
  bench compare RUN_DIR...      compare finished runs side by side
  bench serve [-dir results]    serve the results directory on a loopback port
  bench check [flags] HISTORY   re-check a saved history (history.jsonl, Jepsen history.edn or jepsen.log)
  bench list                    list backends, workloads and faults
  bench maelstrom test -w WORKLOAD --bin PATH [flags] [-- NODE ARGS...]
                                run Maelstrom-protocol nodes with Maelstrom's command line
  bench node BACKEND ARGS...    run one node process (started by the harness)

exit status: 0 valid, 1 invalid, 2 unknown, 3 the run failed

run flags:
`)
}

// runFlags are the flags of a run; a flag left unset does not override
// the config.
type runFlags struct {
	config   string
	duration string
	clients  int
	seed     int64
	backend  string
	nodes    int
	mode     string
	out      string
	verbose  bool
	rounds   int
	set      map[string]bool
}

func parseRunFlags(reg *registries, args []string, stderr io.Writer) (*runFlags, error) {
	f := &runFlags{set: map[string]bool{}}
	fs := flag.NewFlagSet("bench", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { usage(stderr); fs.PrintDefaults() }
	fs.StringVar(&f.config, "config", "", "YAML workload config (default: the built-in default run)")
	fs.StringVar(&f.duration, "duration", "", "measured duration, overriding the config (e.g. 20s)")
	fs.IntVar(&f.clients, "clients", 0, "number of concurrent clients, overriding the config")
	fs.Int64Var(&f.seed, "seed", 0, "random seed, overriding the config (0: a fresh one)")
	fs.StringVar(&f.backend, "backend", "", "backend, overriding the config ("+fmt.Sprint(reg.backendNames())+")")
	fs.IntVar(&f.nodes, "nodes", 0, "number of nodes, overriding the config")
	fs.StringVar(&f.mode, "mode", "", "node placement, overriding the config: process or inprocess")
	fs.StringVar(&f.out, "out", "", "results directory, overriding the config")
	fs.BoolVar(&f.verbose, "v", false, "log diagnostics to stderr too")
	fs.IntVar(&f.rounds, "rounds", 0, "rounds of each case, overriding a comparison config's compare.rounds")
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	if fs.NArg() > 0 {
		err := fmt.Errorf("unexpected argument %q (subcommands: %s)", fs.Arg(0), strings.Join(slices.Sorted(maps.Keys(subcommands)), ", "))
		fmt.Fprintf(stderr, "bench: %v\n", err)
		return nil, err
	}
	fs.Visit(func(fl *flag.Flag) { f.set[fl.Name] = true })
	return f, nil
}

func cmdNode(ctx context.Context, reg *registries, args []string, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprintln(stderr, "bench node: missing BACKEND")
		return exitFailed
	}
	e, ok := reg.backends[args[0]]
	if !ok {
		fmt.Fprintf(stderr, "bench node: unknown backend %q (have %v)\n", args[0], reg.backendNames())
		return exitFailed
	}
	if err := e.runNode(ctx, args[1:]); err != nil && !errors.Is(err, context.Canceled) {
		fmt.Fprintf(stderr, "bench node %s: %v\n", args[0], err)
		return exitFailed
	}
	return exitValid
}
