package main

import (
	"context"
	"sort"

	"faultline/system/backend"
	"faultline/system/backend/memory"
	"faultline/system/backend/raftkv"
	"faultline/system/backend/shardkv"
)

// entry is one registered backend.
type entry struct {
	backend backend.Backend
	// runNode is the node-process entry point (`bench node NAME ARGS...`).
	runNode func(ctx context.Context, args []string) error
	// nodes is the default cluster size when the backend is picked by flag.
	nodes int
	// maxNodes bounds the cluster size; zero means no bound of its own.
	maxNodes int
	desc     string
}

// registry maps backend names to their implementations. It is the only
// place in Faultline that imports concrete systems.
var registry = map[string]entry{
	memory.Name: {backend: memory.Backend{}, runNode: memory.RunNode, nodes: 1, maxNodes: 1,
		desc: "one unreplicated in-memory node over TCP: the harness's ceiling"},
	"raftkv": {backend: raftkv.Backend{}, runNode: raftkv.RunNode, nodes: 3,
		desc: "key/value service replicated by Raft over TCP, durable log (kvraft)"},
	shardkv.Name: {backend: shardkv.Backend{}, runNode: shardkv.RunNode, nodes: 3,
		desc: "sharded key/value store: a shard controller group and replica groups (option groups, default 3) that move shards while serving"},
}

// batchBackends run one job instead of serving a workload.
var batchBackends = map[string]string{
	mapreduceBackend: "MapReduce job (workload kind mapreduce): word count and friends, output checked against a sequential run",
}

// defaultBackend is the backend of a bare `bench` run.
var defaultBackend = "raftkv"

func backendNames() []string {
	var names []string
	for n := range registry {
		names = append(names, n)
	}
	for n := range batchBackends {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}
