package maelstrom

import "fmt"

// judge is the fault policy shared by the workloads: every Maelstrom
// checker judges partitions (every shape, one-way included), kills, pauses
// and link faults, because each either checks safety only (echo,
// unique-ids, lin-kv, kafka) or judges final reads taken after the faults
// heal (broadcast, g-set, counters). Membership faults (join, leave, move)
// have no meaning for a Maelstrom cluster. dupSafe says whether the checker
// can judge duplicated messages: a duplicated client request may reach its
// node twice, and a counter add, a Kafka send or a lin-kv write applied
// twice is then the network's doing, not the node's.
func judge(workload string, f Fault, dupSafe bool) error {
	switch f.Kind {
	case "partition", "kill", "pause":
		return nil
	case "network":
		if f.Duplicates && !dupSafe {
			return fmt.Errorf("%w: %s under %s: a duplicated client request may be applied twice, which its checker would blame on the node",
				ErrCannotJudge, workload, f)
		}
		return nil
	case "join", "leave", "move":
		return fmt.Errorf("%w: %s under %s: Maelstrom clusters have no replica groups to change", ErrCannotJudge, workload, f)
	}
	return fmt.Errorf("%w: %s under unknown fault kind %q", ErrCannotJudge, workload, f.Kind)
}
