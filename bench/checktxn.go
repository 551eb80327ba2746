package main

import (
	"fmt"
	"io"
	"strings"

	"faultline/workloads/checker"
	"faultline/workloads/checker/elle"
	"faultline/workloads/history"
)

// txnOptions parses -models.
func txnOptions(list string) (elle.Options, error) {
	var o elle.Options
	for _, name := range strings.Split(list, ",") {
		if name = strings.TrimSpace(name); name == "" {
			continue
		}
		m, err := elle.ParseModel(name)
		if err != nil {
			return o, err
		}
		o.Models = append(o.Models, m)
	}
	return o, nil
}

func modelNames() string {
	names := make([]string, len(elle.Models))
	for i, m := range elle.Models {
		names[i] = string(m)
	}
	return strings.Join(names, ", ")
}

// txnCalls returns the transactions of a history of Maelstrom txn calls
// (txn-list-append, txn-rw-register), nil when it has none.
func txnCalls(run checker.Run) *history.Txns {
	ops := elle.TxnOps(run)
	if len(ops) == 0 || ops[0].Kind != history.Call {
		return nil
	}
	h, err := elle.FromCalls(ops)
	if err != nil || len(h.Txns) == 0 {
		return nil
	}
	return h
}

// checkTxns checks a transactional history with the Elle-style checker
// and prints the result and every anomaly explained.
func checkTxns(path string, h *history.Txns, opts elle.Options, stdout io.Writer) int {
	fmt.Fprintf(stdout, "%s: %d transactions on %d keys (%s)\n", path, len(h.Txns), len(h.Keys), h.Kind())
	res := elle.Check(h, opts)
	fmt.Fprintf(stdout, "check %-13s %-8s %s\n", "elle", res.Verdict, res.Summary())
	if len(res.AlsoFound) > 0 {
		fmt.Fprintf(stdout, "  also found (not prohibited by the models checked): %s\n", strings.Join(res.AlsoFound, " "))
	}
	if s := res.Explain(); s != "" {
		fmt.Fprint(stdout, indent(s, "  "))
	}
	fmt.Fprintf(stdout, "verdict: %s\n", res.Verdict)
	return res.Verdict.ExitCode()
}

func indent(s, pre string) string {
	lines := strings.SplitAfter(s, "\n")
	for i, l := range lines {
		if l != "" {
			lines[i] = pre + l
		}
	}
	return strings.Join(lines, "")
}
