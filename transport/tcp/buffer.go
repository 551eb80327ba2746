package tcp

import "sync"

// buffer is a pooled byte slice holding one encoded frame (or a request
// body on its way to a handler). Its owner hands it on or returns it with
// putBuffer exactly once.
type buffer struct {
	b []byte
}

// maxPooledBuffer bounds the buffers kept for reuse, so that one huge frame
// does not pin its memory.
const maxPooledBuffer = 64 << 10

var bufferPool = sync.Pool{New: func() any {
	return &buffer{b: make([]byte, 0, 512)}
}}

func getBuffer() *buffer {
	return bufferPool.Get().(*buffer)
}

func putBuffer(b *buffer) {
	if cap(b.b) > maxPooledBuffer {
		return
	}
	b.b = b.b[:0]
	bufferPool.Put(b)
}
