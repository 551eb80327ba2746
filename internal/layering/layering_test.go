package layering

import (
	"bytes"
	"encoding/json"
	"os/exec"
	"strings"
	"testing"
)

type pkg struct {
	ImportPath string
	Deps       []string
	Standard   bool
}

// listPackages runs `go list -deps -json` over the module and returns the
// module's own packages with their (non-test) transitive dependencies.
func listPackages(t *testing.T) []pkg {
	t.Helper()
	cmd := exec.Command("go", "list", "-json=ImportPath,Deps,Standard", "faultline/...")
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Run(); err != nil {
		t.Fatalf("go list: %v\n%s", err, errb.String())
	}
	var pkgs []pkg
	dec := json.NewDecoder(&out)
	for dec.More() {
		var p pkg
		if err := dec.Decode(&p); err != nil {
			t.Fatalf("decode go list output: %v", err)
		}
		pkgs = append(pkgs, p)
	}
	if len(pkgs) == 0 {
		t.Fatal("go list found no packages")
	}
	return pkgs
}

func under(path, prefix string) bool {
	return path == prefix || strings.HasPrefix(path, prefix+"/")
}

// isStd reports whether an import path belongs to the standard library: its
// first element has no dot.
func isStd(path string) bool {
	first, _, _ := strings.Cut(path, "/")
	return !strings.Contains(first, ".") && first != "faultline"
}

// rule says whether package p may depend on d; it returns a reason when not.
type rule func(p, d string) (bad bool, why string)

var rules = []rule{
	func(p, d string) (bool, string) {
		if under(p, "faultline/transport") && !isStd(d) && !under(d, "faultline/transport") &&
			!under(d, "github.com/hashicorp/go-msgpack") {
			return true, "transport may use only the standard library and msgpack"
		}
		return false, ""
	},
	func(p, d string) (bool, string) {
		if under(p, "faultline/system") {
			for _, top := range []string{"bench", "chaos", "workloads", "reports"} {
				if under(d, "faultline/"+top) {
					return true, "system/* must never import " + top
				}
			}
		}
		return false, ""
	},
	func(p, d string) (bool, string) {
		if p == "faultline/system/backend" && !isStd(d) {
			return true, "system/backend (the seam) is a stdlib-only leaf"
		}
		return false, ""
	},
	func(p, d string) (bool, string) {
		if (under(p, "faultline/workloads") || under(p, "faultline/chaos")) &&
			under(d, "faultline/system") && d != "faultline/system/backend" {
			return true, "workloads and chaos may use system/backend but no concrete system"
		}
		return false, ""
	},
	func(p, d string) (bool, string) {
		if under(p, "faultline/workloads") && under(d, "faultline/chaos") {
			return true, "chaos may use workloads, not the reverse"
		}
		return false, ""
	},
	func(p, d string) (bool, string) {
		if under(p, "faultline/reports") && (under(d, "faultline/bench") || under(d, "faultline/system") ||
			under(d, "faultline/chaos")) {
			return true, "reports uses its own input types; it never imports bench, system or chaos"
		}
		return false, ""
	},
	func(p, d string) (bool, string) {
		if protocols[p] && under(d, "faultline/system/backend") {
			return true, "protocol packages never import system/backend or anything under it"
		}
		return false, ""
	},
	func(p, d string) (bool, string) {
		if under(p, "faultline/system/storage/faultfs") && !isStd(d) && !under(d, "faultline/transport") &&
			!under(d, "github.com/hashicorp/go-msgpack") && !under(d, "github.com/hanwen/go-fuse") &&
			!under(d, "golang.org/x/sys") {
			return true, "system/storage/faultfs may use only the standard library, go-fuse, x/sys and transport"
		}
		return false, ""
	},
	func(p, d string) (bool, string) {
		// Raft is the lowest system layer; kvraft and shardctrler sit on it,
		// shardkv on them.
		order := map[string]int{
			"faultline/system/storage": 0, "faultline/system/raft": 1,
			"faultline/system/rsm": 2, "faultline/system/kvraft": 3,
			"faultline/system/shardctrler": 3, "faultline/system/shardkv": 4,
		}
		pl, okp := order[p]
		dl, okd := order[d]
		if okp && okd && dl >= pl {
			return true, "system layers import downwards only (storage < raft < rsm < kvraft, shardctrler < shardkv)"
		}
		return false, ""
	},
}

// protocols are the packages that implement the distributed protocols,
// apart from the backends (system/backend/...) that run them as clusters
// of processes.
var protocols = map[string]bool{
	"faultline/system/raft": true, "faultline/system/storage": true, "faultline/system/rsm": true,
	"faultline/system/kvraft": true, "faultline/system/shardctrler": true, "faultline/system/shardkv": true,
	"faultline/system/mr": true,
}

func TestImportLayering(t *testing.T) {
	for _, p := range listPackages(t) {
		for _, d := range p.Deps {
			for _, r := range rules {
				if bad, why := r(p.ImportPath, d); bad {
					t.Errorf("%s imports %s: %s", p.ImportPath, d, why)
				}
			}
		}
	}
}

// TestRulesCatchViolations guards the rules themselves: each forbidden edge
// must be reported, each allowed one must not.
func TestRulesCatchViolations(t *testing.T) {
	cases := []struct {
		p, d string
		bad  bool
	}{
		{"faultline/transport/tcp", "faultline/system/raft", true},
		{"faultline/transport/tcp", "github.com/hashicorp/go-msgpack/v2/codec", false},
		{"faultline/transport/tcp", "github.com/anishathalye/porcupine", true},
		{"faultline/system/raft", "faultline/workloads/history", true},
		{"faultline/system/kvraft", "faultline/system/raft", false},
		{"faultline/system/raft", "faultline/system/kvraft", true},
		{"faultline/system/shardkv", "faultline/system/shardctrler", false},
		{"faultline/system/shardctrler", "faultline/system/rsm", false},
		{"faultline/system/rsm", "faultline/system/shardctrler", true},
		{"faultline/system/backend", "faultline/transport", true},
		{"faultline/chaos", "faultline/system/backend/raftkv", true},
		{"faultline/workloads", "faultline/system/backend/nodeproc", true},
		{"faultline/system/backend", "faultline/system/backend/nodeproc", true},
		{"faultline/chaos", "faultline/system/backend", false},
		{"faultline/chaos", "faultline/workloads/history", false},
		{"faultline/workloads/runner", "faultline/chaos", true},
		{"faultline/reports", "faultline/bench", true},
		{"faultline/bench", "faultline/system/backend/raftkv", false},
		{"faultline/system/kvraft", "faultline/system/backend", true},
		{"faultline/system/mr", "faultline/system/backend/nodeproc", true},
		{"faultline/system/raft", "faultline/system/storage", false},
		{"faultline/system/backend/raftkv", "faultline/system/kvraft", false},
		{"faultline/system/storage/faultfs", "github.com/hanwen/go-fuse/v2/fs", false},
		{"faultline/system/storage/faultfs", "faultline/transport", false},
		{"faultline/system/storage/faultfs", "faultline/system/storage", true},
		{"faultline/system/storage/faultfs", "faultline/system/raft", true},
	}
	for _, c := range cases {
		got := false
		for _, r := range rules {
			if bad, _ := r(c.p, c.d); bad {
				got = true
			}
		}
		if got != c.bad {
			t.Errorf("%s -> %s: violation = %v, want %v", c.p, c.d, got, c.bad)
		}
	}
}
