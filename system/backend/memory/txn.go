package memory

import (
	"fmt"
	"slices"

	"faultline/system/backend"
)

// Transaction modes (option "txn").
const (
	// TxnStrict applies each transaction atomically under the store's
	// lock, micro-op by micro-op: strict-serializable by construction (the
	// default).
	TxnStrict = "strict"
	// TxnStaleRead is deliberately weakened, for the checker's self-test:
	// a read-only transaction is served, without the lock, from a snapshot
	// of the state that the store refreshes only every staleEvery
	// transactions that write (a replica serving reads without a read
	// barrier); transactions that write run as TxnStrict. The snapshot is
	// a consistent prefix of the serial order, so the history stays
	// serializable, but a read-only transaction invoked after a write
	// completed may miss it: the missed write is ordered after the reader
	// by an rw dependency and before it by real time, a cycle with one rw
	// edge that elle names G-single-item-realtime. It rules out
	// strict-serializable and nothing weaker.
	TxnStaleRead = "stale-read"
)

// staleEvery is how many writing transactions a TxnStaleRead snapshot
// lags behind at most.
const staleEvery = 32

// TxnModes lists the modes option "txn" takes.
var TxnModes = []string{TxnStrict, TxnStaleRead}

// TxnArgs is a transaction: its micro-ops in order.
type TxnArgs struct{ Ops []backend.TxnOp }

// TxnReply is the transaction's micro-ops, reads' results filled in.
type TxnReply struct{ Ops []backend.TxnOp }

// txnKey is one key of the transactional state: a list (appends) or a
// register (writes). A snapshot shares lists with the live state: appends
// only ever add elements past a snapshot's length.
type txnKey struct {
	list  []int64
	reg   int64
	isReg bool
}

// txnState maps each key written to its state.
type txnState map[string]txnKey

// Txn is the RPC handler of transactions ("Store.Txn"), run as the
// store's TxnMode says.
func (s *Store) Txn(args *TxnArgs, reply *TxnReply) {
	reply.Ops = args.Ops
	s.ops.Add(1)
	if s.TxnMode == TxnStaleRead && readOnly(reply.Ops) {
		s.snap.Load().apply(reply.Ops)
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.txn.apply(reply.Ops)
	if s.TxnMode == TxnStaleRead && !readOnly(reply.Ops) {
		if s.writes++; s.writes%staleEvery == 0 {
			snap := make(txnState, len(s.txn))
			for k, v := range s.txn {
				snap[k] = v
			}
			s.snap.Store(&snap)
		}
	}
}

// apply runs ops in order on st: reads are filled in, writes applied.
func (st *txnState) apply(ops []backend.TxnOp) {
	for i := range ops {
		op := &ops[i]
		k, ok := (*st)[op.Key]
		switch {
		case op.F != "r":
			if op.F == "w" {
				k.reg, k.isReg = op.Value, true
			} else {
				k.list = append(k.list, op.Value)
			}
			(*st)[op.Key] = k
		case !ok:
			op.Nil = true
		case k.isReg:
			op.Nil, op.Value = false, k.reg
		default:
			op.Nil, op.IsList, op.List = false, true, slices.Clone(k.list)
		}
	}
}

// readOnly reports whether ops only read.
func readOnly(ops []backend.TxnOp) bool {
	for _, op := range ops {
		if op.F != "r" {
			return false
		}
	}
	return true
}

// txnMode checks a txn option's value ("" is TxnStrict).
func txnMode(v string) (string, error) {
	if v == "" {
		return TxnStrict, nil
	}
	if !slices.Contains(TxnModes, v) {
		return "", fmt.Errorf("memkv: option txn %q, want one of %v", v, TxnModes)
	}
	return v, nil
}
