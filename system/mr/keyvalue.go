package mr

// KeyValue is one pair emitted by a map function.
type KeyValue struct {
	Key   string
	Value string
}

// MapFunc is an application's map function: it receives an input file's name
// and its whole contents and returns the pairs it emits.
type MapFunc func(filename string, contents string) []KeyValue

// ReduceFunc is an application's reduce function: it receives one key and
// every value emitted for it (in no particular order) and returns the value
// written next to the key in the output.
type ReduceFunc func(key string, values []string) string

// partition returns the reduce task, in [0, nReduce), that key belongs to: an
// FNV-1a hash of the key, as the course's ihash, computed without allocating.
func partition(key string, nReduce int) int {
	const (
		offset32 = 2166136261
		prime32  = 16777619
	)
	h := uint32(offset32)
	for i := 0; i < len(key); i++ {
		h ^= uint32(key[i])
		h *= prime32
	}
	return int(h&0x7fffffff) % nReduce
}
