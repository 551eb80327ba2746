package transport

import (
	"context"
	"errors"
)

// Caller is the client side of one RPC endpoint, shaped like the course's
// labrpc.ClientEnd. Call sends args to the method svcMeth ("Service.Method")
// and decodes the answer into reply, which must be a pointer.
//
// Call returns true when reply was filled by the server, and false when no
// reply came in time or the server was unreachable: exactly as labrpc, a false
// return says nothing about whether the server executed the call.
type Caller interface {
	Call(svcMeth string, args any, reply any) bool
}

// ContextCaller is a Caller that can also bound a call by a context and say
// why it failed. CallContext returns nil when reply was filled; otherwise an
// error that matches (errors.Is) ErrTimeout or ErrUnreachable, or that is a
// *RemoteError (errors.As) when the server answered with an error.
type ContextCaller interface {
	Caller
	CallContext(ctx context.Context, svcMeth string, args any, reply any) error
}

// ErrTimeout says the call's deadline passed (or its context was cancelled)
// before a reply came. The server may or may not have executed it.
var ErrTimeout = errors.New("rpc timed out")

// ErrUnreachable says the server could not be reached: refused or broken
// connection, a disconnected or deleted server, a blocked link. The server may
// still have executed the call if the failure came after the request left.
var ErrUnreachable = errors.New("rpc peer unreachable")

// ErrClosed says the caller itself was closed.
var ErrClosed = errors.New("rpc caller closed")

// RemoteError is an error reported by the server for one call: an unknown
// service or method, arguments that did not decode, or a reply that did not
// encode. The server keeps serving other calls.
type RemoteError struct {
	Msg string
}

// Error implements error.
func (e *RemoteError) Error() string { return "rpc remote error: " + e.Msg }

// IsRemote reports whether err is (or wraps) a *RemoteError.
func IsRemote(err error) bool {
	var re *RemoteError
	return errors.As(err, &re)
}
