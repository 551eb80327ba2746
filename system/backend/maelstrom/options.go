package maelstrom

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"faultline/system/backend"
)

// Options of the maelstrom backend (backend.Spec.Options), besides the
// network's own (Backend.NetworkOptions).
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
)

// Defaults and bounds of the options.
const (
	DefaultInitTimeout = 10 * time.Second
	DefaultStopGrace   = 2 * time.Second
	maxDuration        = 10 * time.Minute
	maxQueue           = 1 << 20
	minMaxLine         = 1 << 10
	maxMaxLine         = 1 << 30
)

var ownOptions = []string{OptBin, OptArgs, OptNodeDir, OptInitTimeout, OptQueue, OptMaxLine, OptStopGrace}

// config turns a spec into a Cluster's Config (without its network):
// every option checked, unknown ones refused unless the network reads
// them (netOptions).
func config(spec backend.Spec, netOptions []string) (Config, error) {
	cfg := Config{Dir: spec.Dir, Nodes: spec.Nodes, InitTimeout: DefaultInitTimeout, StopGrace: DefaultStopGrace,
		Logger: spec.Logger}
	if spec.Nodes < 1 {
		return Config{}, fmt.Errorf("maelstrom: %d nodes, want >= 1", spec.Nodes)
	}
	if spec.Dir == "" {
		return Config{}, fmt.Errorf("maelstrom: no cluster directory")
	}
	known := append(slices.Clone(ownOptions), netOptions...)
	for k := range spec.Options {
		if !slices.Contains(known, k) {
			slices.Sort(known)
			return Config{}, fmt.Errorf("maelstrom: unknown option %q (known: %s)", k, strings.Join(known, ", "))
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
	if v, ok := o[OptNodeDir]; ok {
		if cfg.NodeDir, err = strconv.ParseBool(v); err != nil {
			return Config{}, optErr(OptNodeDir, v, "true or false")
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
	return cfg, nil
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
