// Command mr runs MapReduce from the command line: the course's
// coordinator, worker and sequential programs over package
// faultline/system/mr, a whole job on the mapreduce backend, and that
// backend's worker-process entry.
//
// Usage:
//
//	mr coordinator [-addr A] [-nreduce N] [-timeout D] files...
//	mr worker [-coordinator A] [-app wc|path.so] [-dir D] [-serve ADDR] [-id ID]
//	mr sequential [-app wc|path.so] [-o FILE] files...
//	mr job [-app A] [-workers N] [-nreduce N] [-timeout D] [-serve] [-verify]
//	       [-inprocess] [-dir D] [-timeline] files...
//	mr node ARGS...
//
// coordinator and worker are the course's mrcoordinator and mrworker;
// sequential is mrsequential (one output file); job runs a whole job on
// the mapreduce backend (system/backend/mapreduce) with worker processes
// (this program started again as `mr node ARGS`) and prints its timing,
// its verification against the sequential reference and its per-attempt
// timeline. Faults (worker kills and stalls) come from bench's chaos
// schedule, not from this command.
//
// It imports system/mr, system/backend and system/backend/mapreduce.
package main
