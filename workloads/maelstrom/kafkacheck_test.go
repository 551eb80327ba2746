package maelstrom

import (
	"context"
	"fmt"
	"testing"

	"faultline/workloads/checker"
	"faultline/workloads/history"
)

func (h *hist) send(client int, key string, msg, offset int64, at int64) int {
	return h.ok(client, "n0", "send", fmt.Sprintf(`{"key":%q,"msg":%d}`, key, msg),
		fmt.Sprintf(`{"type":"send_ok","offset":%d}`, offset), at, at+1)
}

func (h *hist) poll(client int, node, req, msgs string, at int64) int {
	return h.ok(client, node, "poll", `{"offsets":`+req+`}`, `{"type":"poll_ok","msgs":`+msgs+`}`, at, at+1)
}

// kafkaHistory: two clients send to keys a and b, poll, commit and list;
// final polls read both keys to the end on n0.
func kafkaHistory() *hist {
	h := &hist{}
	h.send(1, "a", 0, 0, 10)
	h.send(2, "a", 1, 1, 20)
	h.send(1, "b", 3, 0, 30)
	h.poll(2, "n1", `{"a":0,"b":0}`, `{"a":[[0,0],[1,1]],"b":[[0,3]]}`, 40)
	h.ok(2, "n1", "commit_offsets", `{"offsets":{"a":1,"b":0}}`, `{"type":"commit_offsets_ok"}`, 50, 51)
	h.ok(1, "n0", "list_committed_offsets", `{"keys":["a","b"]}`, `{"type":"list_committed_offsets_ok","offsets":{"a":1,"b":0}}`, 60, 61)
	h.send(1, "a", 4, 2, 70)
	h.call(2, "n1", "send", `{"key":"b","msg":5}`, "", 80, 90, history.Info)
	h.final(100)
	h.poll(0, "n0", `{"a":0,"b":0}`, `{"a":[[0,0],[1,1],[2,4]],"b":[[0,3]]}`, 110)
	h.poll(0, "n0", `{"a":3,"b":1}`, `{}`, 120)
	return h
}

func TestKafkaValid(t *testing.T) {
	res := mustWorkload(t, "kafka").Check(context.Background(), kafkaHistory().run())
	wantVerdict(t, res, checker.Valid)
}

// TestKafkaReusedOffsets: a node gives two sends offset 2 of key a.
func TestKafkaReusedOffsets(t *testing.T) {
	h := kafkaHistory()
	reuse := h.send(2, "a", 7, 2, 130)
	res := mustWorkload(t, "kafka").Check(context.Background(), h.run())
	wantAnomaly(t, res, checker.OffsetReuse, []int{6, reuse}, "offset 2 of key a holds message 4 and message 7")
	if res.Counts[checker.OffsetReuse] != 1 {
		t.Fatalf("counts %v", res.Counts)
	}
}

func TestKafkaLostMessage(t *testing.T) {
	h := kafkaHistory()
	// Final poll reads a up to offset 2, never message 1 at offset 1.
	h.ops[8].Output = `{"type":"poll_ok","msgs":{"a":[[0,0],[2,4]],"b":[[0,3]]}}`
	h.ops[3].Output = `{"type":"poll_ok","msgs":{"a":[[0,0]],"b":[[0,3]]}}`
	res := mustWorkload(t, "kafka").Check(context.Background(), h.run())
	wantAnomaly(t, res, checker.LostMessage, []int{1, 8}, "message 1, acknowledged at offset 1 of key a, was never polled, though polls read up to offset 2")
	wantAnomaly(t, res, checker.SkippedOffset, []int{8, 1}, "went from offset 0 to 2")
	// The last message of a key lost: the final poll from 0 ends before it.
	h = kafkaHistory()
	h.ops[8].Output = `{"type":"poll_ok","msgs":{"a":[[0,0],[1,1]],"b":[[0,3]]}}`
	h.ops[9].Value = `{"offsets":{"a":2,"b":1}}`
	res = mustWorkload(t, "kafka").Check(context.Background(), h.run())
	wantAnomaly(t, res, checker.LostMessage, []int{6, 9}, "final poll from offset 2 on n0 returned nothing")
}

func TestKafkaUnseen(t *testing.T) {
	h := kafkaHistory()
	h.ops = h.ops[:8] // no final polls
	res := mustWorkload(t, "kafka").Check(context.Background(), h.run())
	wantVerdict(t, res, checker.Unknown)
	if res.Unread != 1 || res.Reason != "1 acknowledged send never polled, and no final poll reached their offsets" {
		t.Fatalf("%s", res.Summary())
	}
	h.events = nil
	wantVerdict(t, mustWorkload(t, "kafka").Check(context.Background(), h.run()), checker.Unknown)
}

func TestKafkaNonmonotonic(t *testing.T) {
	h := kafkaHistory()
	back := h.poll(1, "n1", `{"a":1}`, `{"a":[[0,0],[1,1]]}`, 130)
	desc := h.poll(2, "n1", `{"a":1}`, `{"a":[[2,4],[1,1]]}`, 140)
	s1 := h.send(3, "b", 8, 5, 150)
	s2 := h.send(3, "b", 9, 4, 160)
	res := mustWorkload(t, "kafka").Check(context.Background(), h.run())
	wantAnomaly(t, res, checker.NonmonotonicOffsets, []int{back}, "from offset 1 returned offset 0 first")
	wantAnomaly(t, res, checker.NonmonotonicOffsets, []int{desc}, "returned offset 1 after offset 2")
	wantAnomaly(t, res, checker.NonmonotonicOffsets, []int{s1, s2}, "got offset 4 after its earlier send got 5")
}

func TestKafkaDuplicateMessage(t *testing.T) {
	h := kafkaHistory()
	p := h.poll(1, "n1", `{"a":2}`, `{"a":[[2,4],[3,4]]}`, 130)
	res := mustWorkload(t, "kafka").Check(context.Background(), h.run())
	wantAnomaly(t, res, checker.DuplicateMessage, []int{6, p}, "message 4 of key a appears at offset 3")
}

func TestKafkaCommits(t *testing.T) {
	h := kafkaHistory()
	inv := h.ok(2, "n0", "list_committed_offsets", `{"keys":["a"]}`, `{"offsets":{"a":7}}`, 130, 131)
	back := h.ok(2, "n0", "list_committed_offsets", `{"keys":["b"]}`, `{"offsets":{"a":0}}`, 140, 141)
	res := mustWorkload(t, "kafka").Check(context.Background(), h.run())
	wantAnomaly(t, res, checker.CommitInvented, []int{inv}, "committed offset 7 of key a, beyond any offset a client had committed (the highest was 1)")
	wantAnomaly(t, res, checker.CommitRegressed, []int{inv, back}, "went back from 7 to 0")

	// An unknown commit of 0 may land late: going back to it is allowed
	// (and 7 is committed too, by an ok commit).
	h = kafkaHistory()
	h.ok(1, "n0", "commit_offsets", `{"offsets":{"a":7}}`, `{}`, 125, 126)
	h.call(1, "n0", "commit_offsets", `{"offsets":{"a":0}}`, "", 127, 128, history.Info)
	h.ok(2, "n0", "list_committed_offsets", `{"keys":["a"]}`, `{"offsets":{"a":7}}`, 130, 131)
	h.ok(2, "n0", "list_committed_offsets", `{"keys":["a"]}`, `{"offsets":{"a":0}}`, 140, 141)
	wantVerdict(t, mustWorkload(t, "kafka").Check(context.Background(), h.run()), checker.Valid)
}

func TestKafkaMalformed(t *testing.T) {
	h := kafkaHistory()
	p := h.poll(1, "n1", `{"a":0}`, `{"a":[[0]]}`, 130)
	s := h.ok(1, "n1", "send", `{"key":"a","msg":9}`, `{"type":"send_ok"}`, 140, 141)
	res := mustWorkload(t, "kafka").Check(context.Background(), h.run())
	wantAnomaly(t, res, checker.MalformedReply, []int{p}, "not an [offset, msg] pair")
	wantAnomaly(t, res, checker.MalformedReply, []int{s}, "no offset")
}

func TestKafkaOffsetBounds(t *testing.T) {
	for _, body := range []string{`{"msgs":{"a":[[-1,1]]}}`, `{"msgs":{"a":[[9007199254740993,1]]}}`} {
		if _, err := decodeMsgs(body); err == nil {
			t.Errorf("%s decoded", body)
		}
	}
	if _, err := decodeOffsets(`{"offsets":{"a":-5}}`); err == nil {
		t.Error("negative offset decoded")
	}
	if _, err := decodeSendOK(`{"offset":-1}`); err == nil {
		t.Error("negative send offset decoded")
	}
	h := kafkaHistory()
	bad := h.poll(1, "n1", `{"a":-9223372036854775808}`, `{"a":[[0,0]]}`, 130)
	wantAnomaly(t, mustWorkload(t, "kafka").Check(context.Background(), h.run()), checker.MalformedReply, []int{bad}, "outside [0, 2^53]")
}
