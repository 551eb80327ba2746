package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"time"

	"faultline/workloads"
	wmaelstrom "faultline/workloads/maelstrom"
)

// maelstromOpts are the options of `bench maelstrom test`, named and meant
// as Maelstrom's own command line names and means them, so that a
// Maelstrom user switches without rewriting a command.
type maelstromOpts struct {
	workload  string
	bin       string
	args      []string // the node's own arguments, after the flags
	nodeCount int
	timeLimit time.Duration
	rate      float64 // total requests per second over all clients; 0 is as fast as possible
	// concurrency is the number of clients; a value written "Nn" is N per
	// node, resolved against nodeCount.
	concurrency     int
	latency         time.Duration // base one-way network latency
	nemesis         []string
	nemesisInterval time.Duration
	// shapes are the partitions' shapes (--partition-shape), taking
	// turns; set only with the partition fault.
	shapes          []string
	topology        string
	keyCount        int
	maxTxnLength    int
	maxWritesPerKey int
	availability    string
	logStderr       bool
	logNetSend      bool
	logNetRecv      bool
	seed            int64
	out             string
}

// maelstromNemeses are the faults --nemesis accepts: Maelstrom's
// partition, and Faultline's kill and pause of a random node.
var maelstromNemeses = []string{"kill", "partition", "pause"}

// partitionShapes are the shapes --partition-shape accepts (a Faultline
// extension), each one of chaos's partition shapes on the nodes.
var partitionShapes = []string{"halves", "majority", "ring", "isolate", "bridge", "one-way", "one-way-in"}

// parseMaelstromFlags parses the arguments of `bench maelstrom test`.
// Flags may be written with one dash or two; the node's own arguments
// follow the flags (after "--" when they start with a dash). An unknown
// flag is an error that names the nearest valid one.
func parseMaelstromFlags(args []string, stderr io.Writer) (*maelstromOpts, error) {
	o := &maelstromOpts{}
	fs := subcommandFlags("maelstrom test", "usage: bench maelstrom test -w WORKLOAD --bin PATH [flags] [-- NODE ARGS...]", stderr)
	fs.StringVar(&o.workload, "workload", "", "the workload to run (Maelstrom's -w)")
	fs.StringVar(&o.workload, "w", "", "shorthand for --workload")
	fs.StringVar(&o.bin, "bin", "", "the node program; every node runs it")
	fs.IntVar(&o.nodeCount, "node-count", 5, "number of nodes, named n0 .. n(N-1)")
	var timeLimit, latency, interval float64
	fs.Float64Var(&timeLimit, "time-limit", 10, "seconds of workload")
	fs.Float64Var(&o.rate, "rate", 5, "requests per second, over all clients; 0 runs the clients back to back")
	concurrency := fs.String("concurrency", "1n", "number of clients: an integer, or N followed by n for N per node")
	fs.Float64Var(&latency, "latency", 0, "base one-way message latency, in milliseconds")
	nemesis := fs.String("nemesis", "", "comma-separated faults: "+strings.Join(maelstromNemeses, ", "))
	fs.Float64Var(&interval, "nemesis-interval", 10, "mean seconds between fault changes")
	shapes := fs.String("partition-shape", "halves", "with --nemesis partition, comma-separated shapes taking turns: "+strings.Join(partitionShapes, ", ")+
		" (a Faultline extension)")
	fs.StringVar(&o.topology, "topology", "grid", "broadcast topology: "+strings.Join(wmaelstrom.Topologies(), ", "))
	fs.IntVar(&o.keyCount, "key-count", 0, "keys in play at once (0: the workload's default)")
	fs.IntVar(&o.maxTxnLength, "max-txn-length", 0, "most micro-ops per transaction (0: the workload's default)")
	fs.IntVar(&o.maxWritesPerKey, "max-writes-per-key", 0, "lin-kv and txn workloads: writes any key takes, over all clients, before it retires for a fresh one (0: no bound, clients move to fresh keys every 40 requests)")
	fs.StringVar(&o.availability, "availability", "", "fraction of the clients' requests that must succeed for a valid run, such as 0.99, or total (all)")
	fs.BoolVar(&o.logStderr, "log-stderr", false, "also copy every line of the nodes' stderr (always in their logs) to stderr, prefixed by the node's id")
	fs.BoolVar(&o.logNetSend, "log-net-send", false, "log every message to stderr as the network sends it, with its fate")
	fs.BoolVar(&o.logNetRecv, "log-net-recv", false, "log every message to stderr as the network delivers it")
	fs.Int64Var(&o.seed, "seed", 0, "random seed (0: a fresh one, recorded)")
	fs.StringVar(&o.out, "out", "", "results directory (default: the config's, results/)")
	if err := unknownFlag(fs, args); err != nil {
		fmt.Fprintf(stderr, "bench maelstrom test: %v\n", err)
		return nil, err
	}
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	o.args = fs.Args()
	o.timeLimit = seconds(timeLimit)
	o.latency = time.Duration(latency * float64(time.Millisecond))
	o.nemesisInterval = seconds(interval)
	err := o.finish(*concurrency, *nemesis, timeLimit, latency, interval)
	if err == nil {
		err = o.finishShapes(fs, *shapes)
	}
	if err != nil {
		fmt.Fprintf(stderr, "bench maelstrom test: %v\n", err)
	}
	return o, err
}

// finish checks the parsed options and resolves the ones that depend on
// others.
func (o *maelstromOpts) finish(concurrency, nemesis string, timeLimit, latency, interval float64) error {
	switch {
	case o.workload == "":
		return errors.New("-w WORKLOAD is required")
	case o.bin == "":
		return errors.New("--bin PATH is required: the node program to test")
	case o.nodeCount < 1:
		return fmt.Errorf("--node-count %d: want at least 1", o.nodeCount)
	case !(timeLimit > 0):
		return fmt.Errorf("--time-limit %v: want a positive number of seconds", timeLimit)
	case !(o.rate >= 0):
		return fmt.Errorf("--rate %v: want a non-negative number", o.rate)
	case !(latency >= 0):
		return fmt.Errorf("--latency %v: want a non-negative number of milliseconds", latency)
	case !(interval > 0):
		return fmt.Errorf("--nemesis-interval %v: want a positive number of seconds", interval)
	case o.keyCount < 0 || o.maxTxnLength < 0 || o.maxWritesPerKey < 0:
		return errors.New("--key-count, --max-txn-length and --max-writes-per-key must not be negative")
	}
	if _, _, err := workloads.ParseAvailability(o.availability); err != nil {
		return fmt.Errorf("--%w", err)
	}
	if _, err := commaList("-w", "workload", o.workload, workloads.MaelstromKinds); err != nil {
		return err
	}
	if _, err := commaList("--topology", "topology", o.topology, wmaelstrom.Topologies()); err != nil {
		return err
	}
	n, err := parseConcurrency(concurrency, o.nodeCount)
	if err != nil {
		return err
	}
	o.concurrency = n
	o.nemesis, err = commaList("--nemesis", "fault", nemesis, maelstromNemeses)
	return err
}

// finishShapes reads --partition-shape: it goes with the partition fault
// only, unless left at its default.
func (o *maelstromOpts) finishShapes(fs *flag.FlagSet, shapes string) error {
	set := false
	fs.Visit(func(f *flag.Flag) { set = set || f.Name == "partition-shape" })
	if !slices.Contains(o.nemesis, "partition") {
		if set {
			return fmt.Errorf("--partition-shape %q needs --nemesis partition", shapes)
		}
		return nil
	}
	var err error
	o.shapes, err = commaList("--partition-shape", "shape", shapes, partitionShapes)
	if err == nil && len(o.shapes) == 0 {
		err = fmt.Errorf("--partition-shape %q: name at least one shape (%s)", shapes, strings.Join(partitionShapes, ", "))
	}
	return err
}

// commaList splits a comma-separated flag value into its distinct items,
// each one of valid; an unknown one is an error naming the nearest valid
// one.
func commaList(flagName, what, value string, valid []string) ([]string, error) {
	var out []string
	for _, f := range strings.Split(value, ",") {
		f = strings.TrimSpace(f)
		if f == "" {
			continue
		}
		if !slices.Contains(valid, f) {
			return nil, fmt.Errorf("%s %q: unknown %s %q; did you mean %q? (valid: %s)", flagName, value, what, f,
				nearest(f, valid), strings.Join(valid, ", "))
		}
		if !slices.Contains(out, f) {
			out = append(out, f)
		}
	}
	return out, nil
}

// parseConcurrency reads Maelstrom's --concurrency: a client count, or a
// count per node written with an n suffix ("2n").
func parseConcurrency(s string, nodes int) (int, error) {
	per := strings.HasSuffix(s, "n")
	n, err := strconv.Atoi(strings.TrimSuffix(s, "n"))
	if err != nil || n < 1 {
		return 0, fmt.Errorf("--concurrency %q: want a positive integer, or one followed by n (clients per node)", s)
	}
	if per {
		n *= nodes
	}
	return n, nil
}

// seconds converts a count of seconds to a Duration.
func seconds(s float64) time.Duration { return time.Duration(s * float64(time.Second)) }

// unknownFlag returns an error for the first flag in args that fs does not
// define, naming the nearest defined flag. It stops at "--" and at the
// first non-flag argument, as flag parsing does.
func unknownFlag(fs *flag.FlagSet, args []string) error {
	for i := 0; i < len(args); i++ {
		a := args[i]
		if a == "--" || !strings.HasPrefix(a, "-") || a == "-" {
			return nil
		}
		name := strings.TrimLeft(a, "-")
		name, _, hasValue := strings.Cut(name, "=")
		f := fs.Lookup(name)
		if f == nil {
			if name == "help" || name == "h" {
				return nil
			}
			return fmt.Errorf("unknown flag %s; did you mean --%s?", a, nearestFlag(fs, name))
		}
		if b, ok := f.Value.(interface{ IsBoolFlag() bool }); !hasValue && !(ok && b.IsBoolFlag()) {
			i++ // the flag's value
		}
	}
	return nil
}

// nearestFlag names the flag of fs closest to name in edit distance
// (ties: the first in lexical order).
func nearestFlag(fs *flag.FlagSet, name string) string {
	var names []string
	fs.VisitAll(func(f *flag.Flag) { names = append(names, f.Name) })
	return nearest(name, names)
}

// nearest returns the candidate closest to name in edit distance (ties:
// the first).
func nearest(name string, candidates []string) string {
	best, bestD := "", -1
	for _, c := range candidates {
		if d := editDistance(name, c); bestD < 0 || d < bestD {
			best, bestD = c, d
		}
	}
	return best
}

// editDistance is the Levenshtein distance between a and b, in bytes.
func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}
