package maelstrom

import "time"

// DefaultJournalLimit bounds the journal when RouterConfig.JournalLimit is
// zero.
const DefaultJournalLimit = 100_000

// JournalEntry is one message copy the router carried during the journal
// window: enough to draw a message-sequence (Lamport) diagram. A
// duplicated message has a second entry with Duplicate set.
type JournalEntry struct {
	Src       string `json:"src"`
	Dest      string `json:"dest"`
	Type      string `json:"type"`
	MsgID     *int64 `json:"msg_id,omitempty"`
	InReplyTo *int64 `json:"in_reply_to,omitempty"`
	// Sent is when the router got the message.
	Sent time.Time `json:"sent"`
	// Delivered is when the recipient took it; zero if it was dropped or
	// is still in flight.
	Delivered time.Time `json:"delivered,omitzero"`
	// Dropped says why it was dropped; empty if it was not.
	Dropped DropCause `json:"dropped,omitempty"`
	// Duplicate marks the second copy of a duplicated message.
	Duplicate bool `json:"duplicate,omitempty"`
}

// journal records every message sent in the first window of the run, up
// to limit entries. The router's lock guards it.
type journal struct {
	until   time.Time // end of the window
	limit   int
	entries []JournalEntry
}

// add records a message copy sent at now and returns its index, or -1 if
// it falls outside the window. full reports that the window wanted it but
// the journal had no room.
func (j *journal) add(now time.Time, m *Message, h *Header, dup bool) (idx int, full bool) {
	if !now.Before(j.until) {
		return -1, false
	}
	if len(j.entries) >= j.limit {
		return -1, true
	}
	j.entries = append(j.entries, JournalEntry{
		Src: m.Src, Dest: m.Dest, Type: h.Type, MsgID: h.MsgID, InReplyTo: h.InReplyTo,
		Sent: now, Duplicate: dup,
	})
	return len(j.entries) - 1, false
}

// delivered marks entry idx delivered at now.
func (j *journal) delivered(idx int, now time.Time) {
	if idx >= 0 {
		j.entries[idx].Delivered = now
	}
}

// dropped marks entry idx dropped for cause.
func (j *journal) dropped(idx int, cause DropCause) {
	if idx >= 0 {
		j.entries[idx].Dropped = cause
	}
}
