package hostile

import "encoding/binary"

// Frame returns one frame in transport/tcp's wire format (a big-endian
// uint32 length, then a type byte, a uint64 request id and the payload)
// with any type byte and payload, well formed or not: typ 1 is a request,
// whose payload is a uint16 method length, the method and msgpack args.
func Frame(typ byte, id uint64, payload []byte) []byte {
	b := binary.BigEndian.AppendUint32(nil, uint32(1+8+len(payload)))
	b = append(b, typ)
	b = binary.BigEndian.AppendUint64(b, id)
	return append(b, payload...)
}

// Request returns a request frame for method whose args are the raw bytes
// args (msgpack or garbage).
func Request(id uint64, method string, args []byte) []byte {
	p := binary.BigEndian.AppendUint16(nil, uint16(len(method)))
	p = append(p, method...)
	return Frame(1, id, append(p, args...))
}
