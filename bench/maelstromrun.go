package main

import (
	"time"

	"faultline/chaos"
	"faultline/system/backend"
	bmaelstrom "faultline/system/backend/maelstrom"
	"faultline/system/maelstrom"
	"faultline/workloads"
	wmaelstrom "faultline/workloads/maelstrom"
	"faultline/workloads/results"
	"faultline/workloads/runner"
)

// maelstromReport is the maelstrom backend's runner.Spec.NetReport: the
// router's statistics and journal and the node processes' counts, in
// results.json's terms, with journal times in run nanoseconds from
// start.
func maelstromReport(c backend.Cluster, start time.Time) *runner.NetReport {
	mc, ok := c.(*bmaelstrom.Cluster)
	if !ok {
		return nil
	}
	st := mc.Network().Stats()
	n := &results.Network{All: traffic(st.All), Clients: traffic(st.Clients), Servers: traffic(st.Servers),
		ByType: make(map[string]results.Traffic, len(st.ByType)), JournalOmitted: st.JournalOmitted}
	for k, v := range st.ByType {
		n.ByType[k] = traffic(v)
	}
	rep := &runner.NetReport{Network: n}
	for _, s := range mc.NodeStats() {
		rep.Nodes = append(rep.Nodes, results.NodeStats{
			ID: s.ID, Starts: s.Starts, Inits: s.Inits, Exits: s.Exits, Delivered: s.Delivered, Written: s.Written,
			DroppedFull: s.DroppedFull, DroppedDown: s.DroppedDown, Received: s.Received, Problems: s.Problems,
			LastProblems: mc.Node(s.ID).Problems(), Log: "logs/" + s.ID + ".log",
		})
	}
	for _, e := range mc.Network().Journal() {
		je := results.JournalEntry{Src: e.Src, Dest: e.Dest, Type: e.Type, MsgID: e.MsgID, InReplyTo: e.InReplyTo,
			SentNS: max(int64(e.Sent.Sub(start)), 0), DeliveredNS: results.NotDelivered, Dropped: string(e.Dropped),
			Duplicate: e.Duplicate}
		if !e.Delivered.IsZero() {
			je.DeliveredNS = max(int64(e.Delivered.Sub(start)), je.SentNS)
		}
		if je.Dropped != "" {
			je.DeliveredNS = results.NotDelivered
		}
		rep.Journal = append(rep.Journal, je)
	}
	return rep
}

// traffic converts the router's counts of one kind of traffic.
func traffic(t maelstrom.Traffic) results.Traffic {
	d := t.Dropped
	return results.Traffic{Sent: t.Sent, Delivered: t.Delivered, Duplicated: t.Duplicated, Bytes: t.Bytes,
		Dropped: results.Drops{Partition: d.Partition, Loss: d.Loss, UnknownDest: d.UnknownDest,
			SlowEndpoint: d.SlowEndpoint, Overload: d.Overload}}
}

// judgeFaults asks a Maelstrom workload's checker to judge every fault of
// nem's schedule, before any cluster starts: a fault it cannot judge is an
// error at the schedule entry's path. Other workloads pass.
func judgeFaults(cfg *workloads.Config, nem runner.Nemesis) error {
	if !workloads.IsMaelstrom(cfg.Workload.Kind) {
		return nil
	}
	w, err := runner.MaelstromWorkload(cfg)
	if err != nil {
		return &workloads.FieldError{Path: "workload", Msg: err.Error()}
	}
	sn, ok := nem.(interface{ Schedule() *chaos.Schedule })
	if !ok {
		return nil
	}
	var errs workloads.Errors
	for _, e := range sn.Schedule().Entries {
		f := wmaelstrom.Fault{Kind: string(e.Fault), Duplicates: e.Link.Duplicate > 0}
		if err := w.Judge(f); err != nil {
			errs = append(errs, &workloads.FieldError{Path: e.Path, Msg: err.Error()})
		}
	}
	if len(errs) > 0 {
		return errs
	}
	return nil
}
