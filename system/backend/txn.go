package backend

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
)

// PowerTxn: the cluster's clients are Invokers that run transactions:
// f "txn", args Maelstrom's txn body {"txn":[["r",k,null],["append",k,v],
// ["w",k,v],...]}, reply {"type":"txn_ok","txn":[...]} with every read's
// result filled in (ParseTxn, TxnReply). The transactional workloads
// (list-append, rw-register) need it.
const PowerTxn Power = "txn"

// TxnOp is one micro-op of a transaction request or reply.
type TxnOp struct {
	// F is "r", "append" or "w".
	F string
	// Key is the key as its JSON text ("3", `"x"`), kept verbatim so that
	// the reply names it as the request did.
	Key string
	// Value is the value appended or written, or a register read's result.
	Value int64
	// List is a list read's result (IsList set).
	List []int64
	// Nil marks a read whose result is null (a key never written); IsList
	// a read whose result is List.
	Nil, IsList bool
}

// ParseTxn decodes a txn request's body. Its errors wrap ErrDefinite: a
// malformed transaction is refused before it runs.
func ParseTxn(args []byte) ([]TxnOp, error) {
	var body struct {
		Txn []json.RawMessage `json:"txn"`
	}
	if err := json.Unmarshal(args, &body); err != nil {
		return nil, fmt.Errorf("%w: txn body: %w", ErrDefinite, err)
	}
	ops := make([]TxnOp, len(body.Txn))
	for i, raw := range body.Txn {
		var mop []json.RawMessage
		if err := json.Unmarshal(raw, &mop); err != nil || len(mop) != 3 {
			return nil, fmt.Errorf("%w: txn micro-op %d: want [f, key, value], got %s", ErrDefinite, i+1, raw)
		}
		op := &ops[i]
		if err := json.Unmarshal(mop[0], &op.F); err != nil {
			return nil, fmt.Errorf("%w: txn micro-op %d: function %s: %w", ErrDefinite, i+1, mop[0], err)
		}
		var k bytes.Buffer
		if err := json.Compact(&k, mop[1]); err != nil || k.Len() == 0 || k.String() == "null" {
			return nil, fmt.Errorf("%w: txn micro-op %d: key %s", ErrDefinite, i+1, mop[1])
		}
		op.Key = k.String()
		switch op.F {
		case "r":
			op.Nil = true
		case "append", "w":
			v, err := strconv.ParseInt(string(bytes.TrimSpace(mop[2])), 10, 64)
			if err != nil {
				return nil, fmt.Errorf("%w: txn micro-op %d: value %s is not an integer", ErrDefinite, i+1, mop[2])
			}
			op.Value = v
		default:
			return nil, fmt.Errorf("%w: txn micro-op %d: function %q, want r, append or w", ErrDefinite, i+1, op.F)
		}
	}
	return ops, nil
}

// TxnReply encodes a txn_ok reply carrying ops, their reads' results
// filled in.
func TxnReply(ops []TxnOp) []byte {
	b := []byte(`{"type":"txn_ok","txn":[`)
	for i, op := range ops {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, '[')
		b = strconv.AppendQuote(b, op.F)
		b = append(b, ',')
		b = append(b, op.Key...)
		b = append(b, ',')
		switch {
		case op.F == "r" && op.Nil:
			b = append(b, "null"...)
		case op.F == "r" && op.IsList:
			b = append(b, '[')
			for j, v := range op.List {
				if j > 0 {
					b = append(b, ',')
				}
				b = strconv.AppendInt(b, v, 10)
			}
			b = append(b, ']')
		default:
			b = strconv.AppendInt(b, op.Value, 10)
		}
		b = append(b, ']')
	}
	return append(b, "]}"...)
}
