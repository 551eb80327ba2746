package wire

import (
	"fmt"
	"reflect"
	"sync"

	"github.com/hashicorp/go-msgpack/v2/codec"
)

// handle is the single msgpack configuration shared by every encoder and
// decoder. It is configured once at init and read-only afterwards, which
// makes it safe for concurrent use.
var handle = newHandle()

func newHandle() *codec.MsgpackHandle {
	h := &codec.MsgpackHandle{}
	h.WriteExt = true    // distinguish str from bin
	h.RawToString = true // schema-less raw decodes to string
	h.MapType = reflect.TypeOf(map[string]any(nil))
	// Do not pre-allocate more than this for a collection whose length comes
	// from the input: a hostile length prefix cannot make us allocate
	// gigabytes before the (short) input runs out.
	h.MaxInitLen = 4096
	return h
}

var encPool = sync.Pool{New: func() any {
	var b []byte
	return codec.NewEncoderBytes(&b, handle)
}}

var decPool = sync.Pool{New: func() any {
	return codec.NewDecoderBytes(nil, handle)
}}

// Marshal encodes v as msgpack.
func Marshal(v any) ([]byte, error) {
	return Append(nil, v)
}

// Append encodes v as msgpack, appending to dst, and returns the extended
// buffer.
func Append(dst []byte, v any) (out []byte, err error) {
	enc := encPool.Get().(*codec.Encoder)
	defer func() {
		if r := recover(); r != nil {
			out, err = dst, fmt.Errorf("wire: encode %T: %v", v, r)
			return
		}
		enc.ResetBytes(nil)
		encPool.Put(enc)
	}()
	out = dst
	enc.ResetBytes(&out)
	if err := enc.Encode(v); err != nil {
		return dst, fmt.Errorf("wire: encode %T: %w", v, err)
	}
	return out, nil
}

// Unmarshal decodes msgpack data into v, which must be a non-nil pointer.
// Malformed or truncated input returns an error; it never panics.
func Unmarshal(data []byte, v any) (err error) {
	dec := decPool.Get().(*codec.Decoder)
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("wire: decode into %T: %v", v, r)
			return
		}
		dec.ResetBytes(nil)
		decPool.Put(dec)
	}()
	dec.ResetBytes(data)
	if err := dec.Decode(v); err != nil {
		return fmt.Errorf("wire: decode into %T: %w", v, err)
	}
	return nil
}
