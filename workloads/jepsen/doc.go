// Package jepsen reads Jepsen histories of register workloads (read, write
// and cas on one register, or on many with jepsen.independent's [key value]
// tuples) into Faultline's history records, so that existing Jepsen runs can
// be checked with Faultline's cas-register model; and transactional
// histories, for the Elle-style checker (workloads/checker/elle).
//
// Two forms are read: history.edn (one op map per line, or one vector of
// them, with or without #jepsen.history.Op tags), parsed with
// olympos.io/encoding/edn; and the plain-text operation lines of older
// jepsen.log files ("jepsen.util - 3	:invoke	:cas	[4 1]").
//
// Jepsen records an invocation and a completion per op; they are paired by
// process. A completion of type :info, or an invocation never completed,
// becomes an op with outcome Info. Nemesis ops are skipped. Values are kept
// as their EDN text ("3", and "" for nil, the register's initial state).
//
// Transactional histories (Elle's list-append and rw-register: :f :txn,
// :value [[:append k v] [:r k [..]] [:w k v] ...]) are read by
// ReadTxnEDN into history.Txns; ReadEDNHistory decodes a history.edn once
// and returns whichever kind it holds. Keys may be any EDN scalar; values
// must be integers; bounds (MaxTxnMops, MaxReadLen, MaxTxns) refuse
// hostile input with errors that name the op.
//
// jepsen imports the standard library, the EDN decoder and
// workloads/history only.
package jepsen
