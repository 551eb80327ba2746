package maelstrom

import (
	"encoding/json"
	"fmt"
	"strconv"
)

// Code is a Maelstrom error code. Codes below 1000 are Maelstrom's own;
// nodes may use higher ones for their own errors.
type Code int

// Maelstrom's defined error codes (doc/protocol.md, "Errors").
const (
	CodeTimeout                Code = 0
	CodeNodeNotFound           Code = 1
	CodeNotSupported           Code = 10
	CodeTemporarilyUnavailable Code = 11
	CodeMalformedRequest       Code = 12
	CodeCrash                  Code = 13
	CodeAbort                  Code = 14
	CodeKeyDoesNotExist        Code = 20
	CodeKeyAlreadyExists       Code = 21
	CodePreconditionFailed     Code = 22
	CodeTxnConflict            Code = 30
)

var codeInfo = map[Code]struct {
	name     string
	definite bool
}{
	CodeTimeout:                {"timeout", false},
	CodeNodeNotFound:           {"node-not-found", true},
	CodeNotSupported:           {"not-supported", true},
	CodeTemporarilyUnavailable: {"temporarily-unavailable", true},
	CodeMalformedRequest:       {"malformed-request", true},
	CodeCrash:                  {"crash", false},
	CodeAbort:                  {"abort", true},
	CodeKeyDoesNotExist:        {"key-does-not-exist", true},
	CodeKeyAlreadyExists:       {"key-already-exists", true},
	CodePreconditionFailed:     {"precondition-failed", true},
	CodeTxnConflict:            {"txn-conflict", true},
}

// Definite reports whether an error with this code means the operation
// certainly did not and never will take effect. Unknown codes (a node's
// own) are indefinite: nothing is assumed about them.
func (c Code) Definite() bool { return codeInfo[c].definite }

// String names the code as Maelstrom does ("temporarily-unavailable"), or
// gives the number of a code Maelstrom does not define.
func (c Code) String() string {
	if i, ok := codeInfo[c]; ok {
		return i.name
	}
	return "code " + strconv.Itoa(int(c))
}

// ErrorBody is the body of an error reply.
type ErrorBody struct {
	Type      string `json:"type"`
	InReplyTo *int64 `json:"in_reply_to,omitempty"`
	Code      Code   `json:"code"`
	Text      string `json:"text,omitempty"`
}

// RPCError is an error reply received for a request, or made up by the
// harness (a timeout) in Maelstrom's terms.
type RPCError struct {
	Code Code
	Text string
}

func (e *RPCError) Error() string {
	if e.Text == "" {
		return fmt.Sprintf("maelstrom error %d (%s)", int(e.Code), e.Code)
	}
	return fmt.Sprintf("maelstrom error %d (%s): %s", int(e.Code), e.Code, e.Text)
}

// Definite reports whether the operation certainly did not take effect.
func (e *RPCError) Definite() bool { return e.Code.Definite() }

// ErrorReply builds the body of an error reply to the request numbered
// inReplyTo.
func ErrorReply(inReplyTo *int64, code Code, text string) json.RawMessage {
	b, _ := json.Marshal(ErrorBody{Type: "error", InReplyTo: inReplyTo, Code: code, Text: text})
	return b
}
