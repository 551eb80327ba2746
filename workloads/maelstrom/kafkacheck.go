package maelstrom

import (
	"fmt"
	"sort"

	"faultline/workloads/checker"
	"faultline/workloads/history"
)

// checkKafka is the Kafka check. It follows the anomalies of Maelstrom's
// Kafka checker (jepsen.tests.kafka) that apply to single sends and polls:
//
//   - OffsetReuse (Jepsen's inconsistent offsets): two different messages
//     at one offset of a key, from acknowledged sends or polls;
//   - DuplicateMessage: one message at two offsets of a key;
//   - NonmonotonicOffsets: a poll whose offsets for a key do not rise, or
//     start below the offset it requested (internal nonmonotonic), or a
//     client's acknowledged sends to a key whose offsets do not rise
//     (nonmonotonic send);
//   - SkippedOffset: a poll that jumped, from its requested offset or
//     between two offsets it returned, over an offset an acknowledged send
//     or a poll had established before the poll was invoked;
//   - LostMessage (lost write): an acknowledged send that no poll saw,
//     although a poll saw a higher offset of its key, or a final poll of
//     its key, requested from at or below its offset after it was
//     acknowledged, returned nothing;
//   - CommitInvented: a listed committed offset above 0 and above every
//     offset that a commit_offsets (ok or unknown) of its key invoked
//     before the listing completed asked for: consumers resuming there
//     would skip messages nobody processed (a lower offset only makes
//     them re-read);
//   - CommitRegressed: a listed committed offset lower than one a listing
//     that completed before it began returned, where every commit of the
//     lower offset was acknowledged before that earlier listing began (so
//     none could land after it).
//
// An acknowledged send that no poll saw and nothing shows lost is unseen:
// the verdict is then Unknown (as it is without a final phase), unless an
// anomaly makes it Invalid.
func checkKafka(run Run) checker.Result {
	c := &kafkaCheck{
		f: newFindings("kafka", run.Ops), ops: run.Ops,
		at: map[kOff]int{}, offsetsOf: map[kMsg]map[int64]bool{}, polled: map[kMsg]bool{},
		maxPolled: map[string]int64{}, known: map[string][]knownOff{},
	}
	c.final, c.hasFinal = finalStart(run.Events)
	judged := c.decode()
	for k := range c.known {
		ks := c.known[k]
		sort.Slice(ks, func(i, j int) bool { return ks[i].offset < ks[j].offset })
	}
	c.checkPolls()
	c.checkSends()
	unseen := c.checkLost()
	c.checkCommits()
	var reason string
	switch {
	case !c.hasFinal:
		reason = "no final phase: acknowledged sends cannot be confirmed"
	case unseen > 0:
		reason = fmt.Sprintf("%s never polled, and no final poll reached their offsets", plural(unseen, "acknowledged send"))
	}
	res := c.f.done(judged, reason)
	res.Keys = len(c.maxPolled)
	if unseen > 0 {
		res.Unread = unseen
	}
	return res
}

// kOff is an offset of a key; kMsg a message of a key.
type (
	kOff struct {
		key    string
		offset int64
	}
	kMsg struct{ key, msg string }
)

// knownOff is an offset known to exist, and when the first op that showed
// it completed.
type knownOff struct {
	offset int64
	done   int64
}

// kafkaCheck holds the decoded history.
type kafkaCheck struct {
	f         *findings
	ops       []history.Op
	final     int64
	hasFinal  bool
	at        map[kOff]int            // the first op that showed each offset's message
	msgAt     map[kOff]string         // that message
	offsetsOf map[kMsg]map[int64]bool // offsets each message was seen at
	reported  map[any]bool            // offsets and messages already reported
	polled    map[kMsg]bool           // messages some poll returned
	maxPolled map[string]int64        // highest offset polled per key
	known     map[string][]knownOff   // per key, offsets known, sorted after decode
	sends     []sendOp
	polls     []pollOp
	commits   map[kOff][]int // commit_offsets ops by key and offset (ok and info)
	lists     []listOp
}

type sendOp struct {
	op     int
	key    string
	msg    string
	offset int64 // when ok
}

type pollOp struct {
	op   int
	req  map[string]int64
	msgs map[string][]pair
}

type listOp struct {
	op      int
	offsets map[string]int64
}
