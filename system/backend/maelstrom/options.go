package maelstrom

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"faultline/system/backend"
	"faultline/system/backend/nodeproc"
	"faultline/system/maelstrom"
)

// Options of the maelstrom backend (backend.Spec.Options).
const (
	// OptBin is the node program (required): a path, or a name looked up
	// in PATH.
	OptBin = "bin"
	// OptArgs are its arguments: separated by spaces, or a JSON array of
	// strings for arguments that hold spaces.
	OptArgs = "args"
	// OptNodeDir, "true" or "false" (the default), gives every node its
	// own directory that survives restarts (NodeDirEnv).
	OptNodeDir = "node-dir"
	// OptInitTimeout bounds the wait for init_ok (a Go duration; default
	// DefaultInitTimeout).
	OptInitTimeout = "init-timeout"
	// OptQueue bounds each node's stdin queue, in messages (default
	// DefaultQueue).
	OptQueue = "queue"
	// OptMaxLine bounds a line of a node's stdout, in bytes (default
	// maelstrom.DefaultMaxLine).
	OptMaxLine = "max-line"
	// OptStopGrace is how long Stop waits after SIGTERM before SIGKILL (a
	// Go duration; default DefaultStopGrace).
	OptStopGrace = "stop-grace"
	// OptLatency is the network's base one-way latency of every message,
	// as Maelstrom's --latency: a number of milliseconds ("10", "0.5") or
	// a Go duration ("10ms"); default 0.
	OptLatency = "latency"
	// OptJournalWindow is how long from the network's start the router
	// records every message for the message-sequence (Lamport) diagram (a
	// Go duration; "0" records nothing; default DefaultJournalWindow).
	OptJournalWindow = "journal-window"
	// OptLogStderr, "true" or "false" (the default), also copies every
	// line of the nodes' stderr to the harness's (Backend.Stderr),
	// prefixed by the node's id, as Maelstrom's --log-stderr.
	OptLogStderr = "log-stderr"
	// OptLogNetSend and OptLogNetRecv, "true" or "false" (the default),
	// log every message as the router sends it and as it delivers it to
	// the harness's stderr, as Maelstrom's --log-net-send and
	// --log-net-recv (maelstrom.RouterConfig.LogSend, LogRecv).
	OptLogNetSend = "log-net-send"
	OptLogNetRecv = "log-net-recv"
	// OptLinKV says what keeps the lin-kv service's state: "memory" (the
	// default, the router's own service) or "raftkv" (a raftkv cluster of
	// Faultline's own, its replicas sharing the nodes' faults: linKV).
	OptLinKV = "lin-kv"
	// OptLinKVNodes is the number of raftkv replicas (1 to maxLinKVNodes;
	// default the number of nodes): replica i shares node n(i)'s fate.
	OptLinKVNodes = "lin-kv-nodes"
)

// Defaults and bounds of the options.
const (
	DefaultInitTimeout = 10 * time.Second
	DefaultStopGrace   = 2 * time.Second
	// DefaultJournalWindow covers the first seconds of a run, as
	// Maelstrom's diagram does (the router bounds the entries:
	// maelstrom.DefaultJournalLimit).
	DefaultJournalWindow = 5 * time.Second
	maxDuration          = 10 * time.Minute
	maxQueue             = 1 << 20
	minMaxLine           = 1 << 10
	maxMaxLine           = 1 << 30
	maxLinKVNodes        = 9
)

// errNetns refuses the option network: netns.
var errNetns = errors.New("maelstrom: option network: netns does not apply: Maelstrom nodes talk only to the harness, over stdin and stdout, and its router applies their link faults; there is no network between them for the kernel to fault")

// Options lists the backend's options.
func Options() []string {
	return []string{OptArgs, OptBin, OptInitTimeout, OptJournalWindow, OptLatency, OptLinKV, OptLinKVNodes, OptLogNetRecv, OptLogNetSend,
		OptLogStderr, OptMaxLine, OptNodeDir, OptQueue, OptStopGrace}
}

// config turns a spec into a Cluster's Config: every option checked,
// unknown ones refused; the network seeded with spec.Seed.
func config(spec backend.Spec) (Config, error) {
	cfg := Config{Dir: spec.Dir, Nodes: spec.Nodes, InitTimeout: DefaultInitTimeout, StopGrace: DefaultStopGrace,
		Logger:  spec.Logger,
		Network: maelstrom.RouterConfig{Seed: spec.Seed, JournalWindow: DefaultJournalWindow, Logger: spec.Logger}}
	if spec.Nodes < 1 {
		return Config{}, fmt.Errorf("maelstrom: %d nodes, want >= 1", spec.Nodes)
	}
	if spec.Dir == "" {
		return Config{}, fmt.Errorf("maelstrom: no cluster directory")
	}
	if spec.Options[nodeproc.NetworkOption] == nodeproc.NetworkNetns {
		return Config{}, errNetns
	}
	for k := range spec.Options {
		if !slices.Contains(Options(), k) {
			return Config{}, fmt.Errorf("maelstrom: unknown option %q (known: %s)", k, strings.Join(Options(), ", "))
		}
	}
	o := spec.Options
	var err error
	if cfg.Bin, err = binPath(o[OptBin]); err != nil {
		return Config{}, err
	}
	if cfg.Args, err = parseArgs(o[OptArgs]); err != nil {
		return Config{}, err
	}
	for name, dst := range map[string]*bool{OptNodeDir: &cfg.NodeDir, OptLogStderr: &cfg.LogStderr,
		OptLogNetSend: &cfg.Network.LogSend, OptLogNetRecv: &cfg.Network.LogRecv} {
		if v, ok := o[name]; ok {
			if *dst, err = strconv.ParseBool(v); err != nil {
				return Config{}, optErr(name, v, "true or false")
			}
		}
	}
	if cfg.InitTimeout, err = durationOpt(o, OptInitTimeout, cfg.InitTimeout); err != nil {
		return Config{}, err
	}
	if cfg.StopGrace, err = durationOpt(o, OptStopGrace, cfg.StopGrace); err != nil {
		return Config{}, err
	}
	if cfg.Queue, err = intOpt(o, OptQueue, DefaultQueue, 1, maxQueue); err != nil {
		return Config{}, err
	}
	if cfg.MaxLine, err = intOpt(o, OptMaxLine, 0, minMaxLine, maxMaxLine); err != nil {
		return Config{}, err
	}
	if cfg.Network.Latency, err = latencyOpt(o); err != nil {
		return Config{}, err
	}
	if cfg.LinKV, cfg.LinKVNodes, err = linKVOpts(o, spec.Nodes); err != nil {
		return Config{}, err
	}
	if v := o[OptJournalWindow]; v == "0" || v == "0s" {
		cfg.Network.JournalWindow = 0
	} else if cfg.Network.JournalWindow, err = durationOpt(o, OptJournalWindow, DefaultJournalWindow); err != nil {
		return Config{}, err
	}
	return cfg, nil
}

// linKVOpts reads the options lin-kv and lin-kv-nodes (the latter only
// with lin-kv raftkv).
func linKVOpts(o map[string]string, nodes int) (string, int, error) {
	kind := o[OptLinKV]
	switch kind {
	case "", LinKVMemory:
		if v, ok := o[OptLinKVNodes]; ok {
			return "", 0, optErr(OptLinKVNodes, v, "nothing unless "+OptLinKV+" is "+LinKVRaftKV)
		}
		return LinKVMemory, 0, nil
	case LinKVRaftKV:
		n, err := intOpt(o, OptLinKVNodes, min(nodes, maxLinKVNodes), 1, maxLinKVNodes)
		return kind, n, err
	}
	return "", 0, optErr(OptLinKV, kind, LinKVMemory+" or "+LinKVRaftKV)
}

// latencyOpt reads the option latency: milliseconds as Maelstrom's
// --latency counts them, or a Go duration.
func latencyOpt(o map[string]string) (time.Duration, error) {
	v, ok := o[OptLatency]
	if !ok {
		return 0, nil
	}
	d, err := time.ParseDuration(v)
	if ms, ferr := strconv.ParseFloat(v, 64); ferr == nil {
		d, err = time.Duration(ms*float64(time.Millisecond)), nil
		if !(ms >= 0 && ms <= float64(maxDuration/time.Millisecond)) { // NaN too
			d = -1
		}
	}
	if err != nil || d < 0 || d > maxDuration {
		return 0, optErr(OptLatency, v, "milliseconds (10, 0.5) or a duration (10ms), from 0 to "+maxDuration.String())
	}
	return d, nil
}

func optErr(name, v, want string) error {
	return fmt.Errorf("maelstrom: option %s = %q, want %s", name, v, want)
}

// binPath resolves the node program to an absolute path and checks that
// it is an executable file.
func binPath(bin string) (string, error) {
	if bin == "" {
		return "", fmt.Errorf("maelstrom: option %s is required: the node program to run", OptBin)
	}
	var err error
	path := bin
	if !strings.Contains(bin, "/") {
		path, err = exec.LookPath(bin)
	} else {
		path, err = filepath.Abs(bin)
	}
	if err != nil {
		return "", fmt.Errorf("maelstrom: option %s = %q: %w", OptBin, bin, err)
	}
	st, err := os.Stat(path)
	if err != nil {
		return "", fmt.Errorf("maelstrom: option %s = %q: %w", OptBin, bin, err)
	}
	if !st.Mode().IsRegular() || st.Mode().Perm()&0o111 == 0 {
		return "", fmt.Errorf("maelstrom: option %s = %q: %s is not an executable file", OptBin, bin, path)
	}
	return path, nil
}

// parseArgs splits the option args: a JSON array of strings, or words
// separated by spaces.
func parseArgs(v string) ([]string, error) {
	if !strings.HasPrefix(strings.TrimSpace(v), "[") {
		return strings.Fields(v), nil
	}
	var args []string
	if err := json.Unmarshal([]byte(v), &args); err != nil {
		return nil, optErr(OptArgs, v, "words separated by spaces, or a JSON array of strings")
	}
	return args, nil
}

func durationOpt(o map[string]string, name string, def time.Duration) (time.Duration, error) {
	v, ok := o[name]
	if !ok {
		return def, nil
	}
	d, err := time.ParseDuration(v)
	if err != nil || d <= 0 || d > maxDuration {
		return 0, optErr(name, v, "a duration such as 5s, above 0 and at most "+maxDuration.String())
	}
	return d, nil
}

func intOpt(o map[string]string, name string, def, lo, hi int) (int, error) {
	v, ok := o[name]
	if !ok {
		return def, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < lo || n > hi {
		return 0, optErr(name, v, fmt.Sprintf("an integer from %d to %d", lo, hi))
	}
	return n, nil
}
