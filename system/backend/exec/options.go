package exec

import (
	"fmt"
	"slices"
	"strings"

	"faultline/system/backend"
)

// Options of the exec backend (backend.Spec.Options).
const (
	// OptCluster is the cluster description file (required). A relative
	// path in a config file is relative to the config's directory.
	OptCluster = "cluster"
	// OptConns is the number of connection slots the clients share
	// (backend.ConnsOption; default DefaultConns).
	OptConns = "conns"
)

// DefaultConns is the default of OptConns.
const DefaultConns = 2

// options are a spec's parsed options.
type options struct {
	cluster string
	conns   int
}

func parseOptions(opts map[string]string) (options, error) {
	var o options
	for k := range opts {
		if k != OptCluster && k != OptConns {
			return o, fmt.Errorf("exec: unknown option %q (known: %s, %s)", k, OptCluster, OptConns)
		}
	}
	o.cluster = strings.TrimSpace(opts[OptCluster])
	if o.cluster == "" {
		return o, fmt.Errorf("exec: option %s is required: the cluster description file", OptCluster)
	}
	var err error
	o.conns, err = backend.ConnsOption(Name, opts, DefaultConns)
	return o, err
}

// FileOptions lists the options that name files, which the harness
// resolves against the config's directory.
func FileOptions() []string { return slices.Clone([]string{OptCluster}) }
