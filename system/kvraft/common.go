package kvraft

import (
	"faultline/internal/names"
	"faultline/system/rsm"
	"faultline/transport/wire"
)

// Err is the outcome code carried in every reply.
type Err string

// Outcome codes.
const (
	// OK says the operation was applied (a Get found the key or not; see
	// ErrNoKey).
	OK Err = "OK"
	// ErrNoKey says a Get found no value for the key; the value is "".
	ErrNoKey Err = "ErrNoKey"
	// ErrWrongLeader says the server is not the leader, or lost leadership
	// before the operation was applied: try another server.
	ErrWrongLeader Err = "ErrWrongLeader"
	// ErrTimeout says the server started the operation but did not see it
	// applied in time; the outcome is unknown and the client should retry
	// (retries are deduplicated).
	ErrTimeout Err = "ErrTimeout"
	// ErrShutdown says the server is being killed.
	ErrShutdown Err = "ErrShutdown"
)

// OpKind is the kind of a key/value operation.
type OpKind uint8

// Operation kinds.
const (
	OpGet OpKind = iota + 1
	OpPut
	OpAppend
	// OpCAS sets Key to Value if its value is From, or, with Create, if
	// it has none (compare-and-set, applied atomically by the machine).
	OpCAS
)

// String returns the kind's name without its Op prefix: "Get", "Put",
// "Append" or "CAS".
func (k OpKind) String() string { return names.Of(k, "OpKind", OpGet, "Get", "Put", "Append", "CAS") }

// Op is the command a KVServer places in the Raft log. ClientID and Seq
// identify the operation for duplicate detection. From and Create are
// OpCAS's only.
type Op struct {
	Kind     OpKind
	Key      string
	Value    string
	From     string
	Create   bool
	ClientID int64
	Seq      int64
}

func init() {
	wire.Register(Op{})
}

// GetArgs are the arguments of KVServer.Get.
type GetArgs struct {
	Key      string
	ClientID int64
	Seq      int64
}

// GetReply is the reply of KVServer.Get.
type GetReply struct {
	Err   Err
	Value string
}

// PutAppendArgs are the arguments of KVServer.PutAppend. Op is "Put" or
// "Append".
type PutAppendArgs struct {
	Key      string
	Value    string
	Op       string
	ClientID int64
	Seq      int64
}

// NewGetArgs returns the arguments of a Get of key, numbered as the next
// operation of session s.
func NewGetArgs(s *rsm.Session, key string) GetArgs {
	return GetArgs{Key: key, ClientID: s.ID, Seq: s.NextSeq()}
}

// NewPutAppendArgs returns the arguments of a Put or an Append (op) of
// value to key, numbered as the next operation of session s. Every clerk
// (kvraft's two, shardkv's) builds its writes with it.
func NewPutAppendArgs(s *rsm.Session, op, key, value string) PutAppendArgs {
	return PutAppendArgs{Key: key, Value: value, Op: op, ClientID: s.ID, Seq: s.NextSeq()}
}

// CASArgs are the arguments of KVServer.CAS: set Key to To if its value
// is From, or, with Create, if it has none.
type CASArgs struct {
	Key      string
	From     string
	To       string
	Create   bool
	ClientID int64
	Seq      int64
}

// CASReply is the reply of KVServer.CAS. Err is OK if the key had a value
// before the operation (Value), ErrNoKey if it had none; the operation set
// the key exactly when Value == From (OK) or Create (ErrNoKey).
type CASReply struct {
	Err   Err
	Value string
}

// PutAppendReply is the reply of KVServer.PutAppend.
type PutAppendReply struct {
	Err Err
}

// StatusArgs are the arguments of KVServer.Status.
type StatusArgs struct{}

// StatusReply is the reply of KVServer.Status: the server's view of its
// Raft peer.
type StatusReply struct {
	Term     int
	IsLeader bool
	Applied  int
}
