package results

import (
	"errors"
	"fmt"
	"unicode/utf8"
)

// JournalFile is the message journal in a results folder (files key
// "messages"): every message copy the network carried during the first
// seconds of the run, one JournalEntry per line of JSON, in send order.
const JournalFile = "messages.jsonl"

// NotDelivered is JournalEntry.DeliveredNS of a message copy that was
// dropped, or still in flight when the journal was written.
const NotDelivered int64 = -1

// Bounds of a journal's text fields, in bytes: a longer field is
// malformed.
const (
	MaxJournalID   = 256
	MaxJournalType = 1024
)

var (
	// ErrJournal is wrapped by every error about a journal's content
	// (a malformed or invalid line, a line or a journal over its bound).
	ErrJournal = errors.New("bad message journal")
	// ErrJournalTooLong is wrapped (with ErrJournal) when a journal holds
	// more entries than its reader's bound.
	ErrJournalTooLong = errors.New("too many entries")
)

// JournalEntry is one message copy: enough to draw a message-sequence
// (Lamport) diagram. A duplicated message has a second entry with
// Duplicate set. Times are run nanoseconds.
type JournalEntry struct {
	Src  string `json:"src"`
	Dest string `json:"dest"`
	// Type is the body's type ("" when it had none).
	Type      string `json:"type"`
	MsgID     *int64 `json:"msg_id,omitempty"`
	InReplyTo *int64 `json:"in_reply_to,omitempty"`
	// SentNS is when the network took the message.
	SentNS int64 `json:"sent_ns"`
	// DeliveredNS is when the recipient took it, or NotDelivered.
	DeliveredNS int64 `json:"delivered_ns"`
	// Dropped is why it was dropped (DropPartition, ...; a newer network
	// may name other causes), or "" when it was not.
	Dropped string `json:"dropped,omitempty"`
	// Duplicate marks the second copy of a duplicated message.
	Duplicate bool `json:"duplicate,omitempty"`
}

// Validate checks that e has a src and a dest, text fields within their
// bounds and in UTF-8, a non-negative send time, and either a delivery
// time not before it or NotDelivered, but not a delivery time and a drop
// cause both.
func (e *JournalEntry) Validate() error {
	switch {
	case e.Src == "" || e.Dest == "":
		return fmt.Errorf("%w: entry without src or dest", ErrJournal)
	case len(e.Src) > MaxJournalID || len(e.Dest) > MaxJournalID:
		return fmt.Errorf("%w: src or dest longer than %d bytes", ErrJournal, MaxJournalID)
	case len(e.Type) > MaxJournalType || len(e.Dropped) > MaxJournalID:
		return fmt.Errorf("%w: type or drop cause too long", ErrJournal)
	case !utf8.ValidString(e.Src) || !utf8.ValidString(e.Dest) || !utf8.ValidString(e.Type) || !utf8.ValidString(e.Dropped):
		return fmt.Errorf("%w: text is not valid UTF-8", ErrJournal)
	case e.SentNS < 0:
		return fmt.Errorf("%w: sent_ns %d < 0", ErrJournal, e.SentNS)
	case e.DeliveredNS != NotDelivered && e.DeliveredNS < e.SentNS:
		return fmt.Errorf("%w: delivered_ns %d before sent_ns %d", ErrJournal, e.DeliveredNS, e.SentNS)
	case e.DeliveredNS != NotDelivered && e.Dropped != "":
		return fmt.Errorf("%w: entry both delivered and dropped (%s)", ErrJournal, e.Dropped)
	}
	return nil
}

// Delivered reports whether the copy reached its recipient.
func (e *JournalEntry) Delivered() bool { return e.DeliveredNS != NotDelivered }
