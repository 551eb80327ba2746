package main

import (
	"context"
	"sort"
	"time"

	"faultline/chaos"
	"faultline/system/backend"
	"faultline/system/backend/etcd"
	"faultline/system/backend/exec"
	"faultline/system/backend/maelstrom"
	"faultline/system/backend/mapreduce"
	"faultline/system/backend/memory"
	"faultline/system/backend/raftkv"
	"faultline/system/backend/shardkv"
	"faultline/workloads"
	"faultline/workloads/runner"
)

// entry is one backend a bench binary can run.
type entry struct {
	backend backend.Backend
	// runNode is the node-process entry point (`bench node NAME ARGS...`).
	runNode func(ctx context.Context, args []string) error
	// nodes is the default cluster size when the backend is picked by flag.
	nodes int
	// maxNodes bounds the cluster size; zero means no bound of its own.
	maxNodes int
	// batch says the backend's clusters run one batch job (backend.Batch)
	// instead of serving key/value clients: it takes workload kind
	// "mapreduce", and only it does.
	batch bool
	// invoker says the backend's clients take Maelstrom requests
	// (backend.Invoker): only it runs the Maelstrom workload kinds.
	invoker bool
	// netReport reads a message-routing cluster's network after a run
	// (runner.Spec.NetReport); nil for the others.
	netReport func(backend.Cluster, time.Time) *runner.NetReport
	// fileOptions are the backend's options that name files: a relative
	// path in a config file is taken relative to the config's directory.
	fileOptions []string
	desc        string
}

// registries is what this bench binary can run: the backends by name, the
// fault injector and the fault list of `bench list`. main builds it with
// newRegistries and hands it down; nothing registers itself into package
// state.
type registries struct {
	backends map[string]entry
	// defaultBackend is the backend of a bare `bench` run.
	defaultBackend string
	// nemesis builds the fault injector of a config with a fault schedule
	// (cfg.Faults, raw YAML whose schema the chaos controller owns) for
	// backend b, refusing faults b cannot take. It is called while the
	// config is checked, before any cluster starts; errors that are
	// workloads.FieldErrors with paths under "faults" are reported with
	// the file and line.
	nemesis func(cfg *workloads.Config, b backend.Backend) (runner.Nemesis, error)
	// faultKinds lists the faults for `bench list`.
	faultKinds func() [][2]string
	// defaultFaults is the fault schedule of a bare run on the default
	// backend (YAML, the value of a config's faults key).
	defaultFaults string
}

// newRegistries builds the registries of this binary. It is the only place
// in Faultline that imports concrete systems; a backend is one more line in
// the map below.
func newRegistries() *registries {
	r := &registries{
		backends: map[string]entry{
			memory.Name: {backend: memory.Backend{}, runNode: memory.RunNode, nodes: 1, maxNodes: 1,
				desc: "one unreplicated in-memory node over TCP: the harness's ceiling"},
			"raftkv": {backend: raftkv.Backend{}, runNode: raftkv.RunNode, nodes: 3,
				desc: "key/value service replicated by Raft over TCP, durable log (kvraft)"},
			shardkv.Name: {backend: shardkv.Backend{}, runNode: shardkv.RunNode, nodes: 3,
				desc: "sharded key/value store: a shard controller group and replica groups (option groups, default 3) that move shards while serving"},
			mapreduce.Name: {backend: mapreduce.Backend{}, runNode: mapreduce.RunNode, nodes: 3, batch: true,
				desc: "MapReduce job (workload kind mapreduce): coordinator and worker processes, output checked against a sequential run"},
			etcd.Name: {backend: etcd.Backend{}, runNode: etcd.RunNode, nodes: 3,
				desc: "real etcd v3.6 (embedded members, clientv3; Append is a compare-and-swap loop); option peer-proxy: true for network faults"},
			exec.Name: {backend: exec.Backend{}, runNode: exec.RunNode, nodes: 3, fileOptions: exec.FileOptions(),
				desc: "real server binaries (Redis, etcd, any) from a cluster description file (option cluster): RESP or etcd v3 clients, kills, pauses, link faults through proxies"},
			maelstrom.Name: {backend: maelstrom.Backend{}, runNode: maelstrom.RunNode, nodes: 5, invoker: true, netReport: maelstromReport,
				desc: "any program speaking Maelstrom's protocol (option bin), a process per node, on Faultline's Maelstrom router and services; Get/Put are lin-kv read/write"},
		},
		defaultBackend: "raftkv",
		nemesis:        newNemesis,
		faultKinds:     chaos.Kinds,
		defaultFaults:  chaos.DefaultSchedule,
	}
	return r
}

// newNemesis is the chaos controller of cfg's schedule, refusing every
// fault that b does not declare the power for (backend.Declarer), before
// any cluster starts.
func newNemesis(cfg *workloads.Config, b backend.Backend) (runner.Nemesis, error) {
	n, err := chaos.New(cfg)
	if err != nil {
		return nil, err
	}
	if err := n.CheckDeclared(b, runner.BackendSpec(cfg)); err != nil {
		return nil, err
	}
	return n, nil
}

// backendNames lists the backends, sorted.
func (r *registries) backendNames() []string {
	names := make([]string, 0, len(r.backends))
	for n := range r.backends {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}
