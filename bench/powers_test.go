package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"gopkg.in/yaml.v3"

	"faultline/chaos"
	"faultline/system/backend"
	"faultline/transport"
	"faultline/workloads"
)

// faultOf is a one-entry schedule of each fault kind.
var faultOf = map[chaos.Kind]string{
	chaos.KindKill:      "{fault: kill, at: 1s, for: 1s}",
	chaos.KindPause:     "{fault: pause, at: 1s, for: 1s}",
	chaos.KindPartition: "{fault: partition, shape: halves, at: 1s, for: 1s}",
	chaos.KindNetwork:   "{fault: network, delay: 5ms, at: 1s, for: 1s}",
	chaos.KindJoin:      "{fault: join, at: 1s}",
	chaos.KindLeave:     "{fault: leave, at: 1s}",
	chaos.KindMove:      "{fault: move, at: 1s}",
}

// TestRefuseBeforeStart: a fault a backend cannot take is refused when
// the config is checked, before any cluster starts, naming the fault, the
// backend and why, with the file and line of the entry.
func TestRefuseBeforeStart(t *testing.T) {
	for _, tc := range []struct {
		name, backend, extra, fault string
		want                        string
	}{
		{"pause in-process", "raftkv", "nodes: 3, mode: inprocess", faultOf[chaos.KindPause], `backend "raftkv" (3 node(s), inprocess mode) cannot take pause random: its clusters cannot freeze and resume nodes`},
		{"partition on one node", "raftkv", "nodes: 1, mode: process", "{fault: network, delay: 5ms, at: 1s, for: 1s}", `backend "raftkv" (1 node(s), process mode) cannot take network all: its clusters cannot fault the links`},
		{"join on raftkv", "raftkv", "nodes: 3, mode: process", faultOf[chaos.KindJoin], `backend "raftkv" (3 node(s), process mode) cannot take join: its clusters cannot join, remove and move replica groups`},
		{"network on etcd without peer-proxy", "etcd", "nodes: 3, mode: process", faultOf[chaos.KindNetwork], `backend "etcd" (3 node(s), process mode) cannot take network all: its clusters cannot fault the links between two nodes or more (a link fault table; etcd needs the option peer-proxy: true)`},
		{"partition on memory", "memory", "nodes: 1, mode: process", "{fault: kill, at: 1s, for: 1s}\n    - " + faultOf[chaos.KindNetwork], `backend "memory" (1 node(s), process mode) cannot take network all`},
		{"leader on shardkv", "shardkv", "nodes: 3, mode: process", "{fault: kill, target: leader, at: 1s, for: 1s}", `backend "shardkv" (3 node(s), process mode) cannot take kill leader: its clusters cannot name its leader`},
		{"pause on mapreduce in-process", "mapreduce", "nodes: 3, mode: inprocess", faultOf[chaos.KindPause], `backend "mapreduce" (3 node(s), inprocess mode) cannot take pause random`},
		{"a node it lacks", "raftkv", "nodes: 3, mode: process", "{fault: kill, nodes: [n9], at: 1s, for: 1s}", `backend "raftkv" (3 node(s), process mode) cannot take kill nodes: no node "n9" (its nodes are n0, n1, n2)`},
		{"a link to a node it lacks", "raftkv", "nodes: 3, mode: process", "{fault: network, links: [n0->w1], delay: 5ms, at: 1s, for: 1s}", `no node "w1" (its nodes are n0, n1, n2)`},
		{"ring on two nodes", "raftkv", "nodes: 2, mode: process", "{fault: partition, shape: ring, at: 1s, for: 1s}", `cannot take partition ring: shape ring needs at least 3 nodes, the cluster has 2`},
		{"duplication on etcd's proxies", "etcd", "nodes: 3, mode: process, options: {peer-proxy: 'true'}", "{fault: network, duplicate: 0.1, at: 1s, for: 1s}", `its link fault table cannot apply it: duplication by a TCP proxy`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			kind := "kv"
			job := ""
			if tc.backend == "mapreduce" {
				kind, job = "mapreduce", "job: {input: [x]}\n"
			}
			src := fmt.Sprintf("backend: {name: %s, %s}\nworkload: {kind: %s, duration: 20s}\n%sfaults:\n  schedule:\n    - %s\n",
				tc.backend, tc.extra, kind, job, tc.fault)
			path := filepath.Join(t.TempDir(), "c.yaml")
			if err := os.WriteFile(path, []byte(src), 0o644); err != nil {
				t.Fatal(err)
			}
			_, err := newRegistries().loadConfig(&runFlags{config: path, set: map[string]bool{}})
			if err == nil || !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), "c.yaml:") {
				t.Fatalf("err = %v\nwant one containing %q with the file and line", err, tc.want)
			}
		})
	}
}

// schedulesFor is faultOf plus entries that depend on the cluster's nodes
// (a node it has, one it lacks, shapes needing three nodes) and on its
// link table (duplication), by name.
func schedulesFor(nodes []string) map[string]string {
	m := map[string]string{}
	for k, v := range faultOf {
		m[string(k)] = v
	}
	m["kill of a node it has"] = fmt.Sprintf("{fault: kill, nodes: [%s], at: 1s, for: 1s}", nodes[0])
	m["kill of a node it lacks"] = "{fault: kill, nodes: [nowhere], at: 1s, for: 1s}"
	m["ring"] = "{fault: partition, shape: ring, at: 1s, for: 1s}"
	m["bridge"] = "{fault: partition, shape: bridge, at: 1s, for: 1s}"
	m["duplication"] = "{fault: network, duplicate: 0.1, at: 1s, for: 1s}"
	m["bandwidth"] = "{fault: network, bandwidth: 1MB/s, at: 1s, for: 1s}"
	return m
}

// checkLinkSupport: a chaos.LinkDeclarer declares exactly what its started
// cluster's link table applies, for link faults only some tables apply.
func checkLinkSupport(t *testing.T, b backend.Backend, spec backend.Spec, c backend.Cluster) {
	t.Helper()
	ld, ok := b.(chaos.LinkDeclarer)
	fs, seam := c.(chaos.FaultSeam)
	if !ok || !seam || fs.Faults() == nil {
		return
	}
	for _, f := range []transport.LinkFaults{
		{Duplicate: 0.1},
		{Bandwidth: 1 << 20},
		{Conn: transport.ConnReset},
		{Drop: 0.1, Burst: 3},
		{Delay: time.Millisecond, Jitter: time.Millisecond, Distribution: transport.DelayPareto},
	} {
		declared := ld.LinkSupport(spec).SupportsLink(f)
		real := transport.Supports(fs.Faults(), f)
		if (declared == nil) != (real == nil) {
			t.Errorf("link fault %+v: declared support %v, the started cluster's table %v", f, declared, real)
		}
	}
}

// TestAcceptBeforeStart: a schedule the backend's clusters can take is
// not refused by the early checks, even where the per-group node count
// alone would suggest otherwise (a shardkv group of one replica still
// makes a cluster of several nodes).
func TestAcceptBeforeStart(t *testing.T) {
	src := "backend: {name: shardkv, nodes: 1, options: {groups: '2', ctrlers: '1'}}\nworkload: {kind: kv, duration: 20s}\n" +
		"faults:\n  schedule:\n    - {fault: partition, shape: halves, at: 1s, for: 1s}\n    - {fault: kill, nodes: [g1-0], at: 3s, for: 1s}\n"
	path := filepath.Join(t.TempDir(), "c.yaml")
	if err := os.WriteFile(path, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := newRegistries().loadConfig(&runFlags{config: path, set: map[string]bool{}}); err != nil {
		t.Fatalf("refused a schedule a shardkv cluster of 3 nodes takes: %v", err)
	}
}

// probe finds which powers a started cluster really has: each optional
// interface it implements, and for kill and pause, whether using them on
// one node works.
func probe(t *testing.T, c backend.Cluster) []backend.Power {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	node := c.Nodes()[len(c.Nodes())-1]
	var p []backend.Power
	if br, ok := c.(backend.Barer); ok {
		checkBare(t, br)
		p = append(p, backend.PowerBare)
	}
	// works applies a power to one node and undoes it: false when the
	// cluster refuses it as unsupported.
	works := func(what string, do, undo func(context.Context, string) error) bool {
		if err := do(ctx, node); err != nil {
			if !errors.Is(err, backend.ErrUnsupported) {
				t.Fatalf("%s %s: %v", what, node, err)
			}
			return false
		}
		if err := undo(ctx, node); err != nil {
			t.Fatalf("%s worked but undoing it on %s: %v", what, node, err)
		}
		return true
	}
	if k, ok := c.(backend.Killer); ok && works("kill", k.Kill, k.Restart) {
		p = append(p, backend.PowerKill)
	}
	if k, ok := c.(backend.Pauser); ok && works("pause", k.Pause, k.Resume) {
		p = append(p, backend.PowerPause)
	}
	if _, ok := c.(backend.LeaderFinder); ok {
		p = append(p, backend.PowerLeader)
	}
	if _, ok := c.(backend.Membership); ok {
		p = append(p, backend.PowerMembership)
	}
	if fs, ok := c.(chaos.FaultSeam); ok && fs.Faults() != nil && len(c.Nodes()) >= 2 {
		p = append(p, backend.PowerLinks)
	}
	if runsTxn(ctx, t, c) {
		p = append(p, backend.PowerTxn)
	}
	slices.Sort(p)
	return p
}

// runsTxn reports whether a client of c runs a transaction: an Invoker
// that answers a txn request with a txn_ok reply.
func runsTxn(ctx context.Context, t *testing.T, c backend.Cluster) bool {
	t.Helper()
	cl, err := c.Client(ctx, 0)
	if errors.Is(err, backend.ErrUnsupported) {
		return false // a batch cluster has no clients
	}
	if err != nil {
		t.Fatalf("client: %v", err)
	}
	defer cl.Close()
	inv, ok := cl.(backend.Invoker)
	if !ok {
		return false
	}
	reply, err := inv.Invoke(ctx, "", "txn", []byte(`{"txn":[["append",1,1],["r",1,null]]}`))
	return err == nil && string(reply) == `{"type":"txn_ok","txn":[["append",1,1],["r",1,[1]]]}`
}

// TestDeclaredPowersMatchClusters: for every registered backend, the
// powers it declares before starting (backend.Declarer) are exactly those
// a tiny in-process cluster of it really has, so that the early refusal
// accepts every fault kind the cluster can take and refuses every other:
// for each fault kind, CheckDeclared and Setup on the started cluster (with
// the powers it really has) agree.
func TestDeclaredPowersMatchClusters(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a cluster of every backend")
	}
	reg := newRegistries()
	type variant struct {
		nodes int
		opts  map[string]string
	}
	echo := map[string]string{"bin": echoNode(t)}
	variants := map[string][]variant{
		"raftkv":    {{3, nil}, {1, nil}},
		"etcd":      {{3, nil}, {3, map[string]string{"peer-proxy": "true"}}, {1, map[string]string{"peer-proxy": "true"}}},
		"shardkv":   {{3, map[string]string{"groups": "2", "joined": "1", "ctrlers": "1"}}, {1, map[string]string{"groups": "1", "ctrlers": "1"}}},
		"maelstrom": {{5, echo}, {1, echo}},
		"exec": {{3, map[string]string{"cluster": "../workloads/configs/exec/redis-replicated.yaml"}},
			{3, map[string]string{"cluster": "../workloads/configs/exec/etcd-binary.yaml"}}},
	}
	for _, name := range reg.backendNames() {
		e := reg.backends[name]
		d, ok := e.backend.(backend.Declarer)
		if !ok {
			t.Errorf("backend %q does not declare its powers (backend.Declarer): its faults are refused only after its cluster starts", name)
			continue
		}
		vs := variants[name]
		if vs == nil {
			vs = []variant{{e.nodes, nil}}
		}
		for _, v := range vs {
			t.Run(fmt.Sprintf("%s/%d/%v", name, v.nodes, v.opts), func(t *testing.T) {
				spec := backend.Spec{Nodes: v.nodes, Mode: backend.ModeInProcess, Dir: t.TempDir(), Seed: 1, Options: v.opts, Fsync: false}
				declared := slices.Sorted(slices.Values(d.Powers(spec)))
				ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
				defer cancel()
				c, err := e.backend.Start(ctx, spec)
				if err != nil {
					t.Fatal(err)
				}
				t.Cleanup(func() { c.Stop(context.Background()) })
				real := probe(t, c)
				if !slices.Equal(declared, real) {
					t.Fatalf("declares %v, its cluster has %v", declared, real)
				}
				if dn, cn := d.Nodes(spec), c.Nodes(); !slices.Equal(dn, cn) {
					t.Fatalf("declares nodes %v, its cluster has %v", dn, cn)
				}
				checkLinkSupport(t, e.backend, spec, c)
				for kind, entry := range schedulesFor(c.Nodes()) {
					cfg := workloads.Config{Seed: 1, Backend: workloads.Backend{Name: name, Nodes: v.nodes, Mode: "inprocess", Options: v.opts}}
					if err := yaml.Unmarshal([]byte("schedule:\n  - "+entry), &cfg.Faults); err != nil {
						t.Fatal(err)
					}
					cfg.Faults = *cfg.Faults.Content[0]
					// Refused early: by the schedule's own checks (a shape
					// the node count cannot take) or by the declared powers.
					n, early := chaos.New(&cfg)
					if early != nil {
						continue
					}
					early = n.CheckDeclared(e.backend, spec)
					late := n.Setup(ctx, c)
					// Setup finds powers by type only: an in-process
					// cluster is a Pauser whose Pause refuses at the call.
					if (early == nil) != (late == nil) && !(early != nil && kind == string(chaos.KindPause)) {
						t.Errorf("%s: refused early: %v; refused by Setup on the started cluster: %v", kind, early, late)
					}
				}
			})
		}
	}
}

// checkBare runs a cluster's bare loop briefly, two clients on a put and a
// get of two keys: it must complete ops and report no definite error.
func checkBare(t *testing.T, br backend.Barer) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	script := []backend.BareOp{{Kind: backend.BarePut, Key: "k0"}, {Kind: backend.BareGet, Key: "k1"}}
	res, err := br.Bare(ctx, backend.BareSpec{Scripts: [][]backend.BareOp{script, script},
		Values: []string{"v0", "v1"}, Duration: 200 * time.Millisecond, Timeout: 5 * time.Second})
	if err != nil {
		t.Fatalf("bare: %v", err)
	}
	ops, errs, definite := res.Total()
	if ops == 0 || definite > 0 || res.Elapsed <= 0 {
		t.Fatalf("bare: %d ops, %d errors (%d definite) in %v; want ops and no definite error", ops, errs, definite, res.Elapsed)
	}
}
