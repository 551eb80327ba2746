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
	// Bound what a collection pre-allocates from a length that comes from
	// the input, so that a hostile length prefix cannot make us allocate
	// gigabytes before the (short) input runs out. Zero selects the codec's
	// own unit-aware bound (256 KiB of memory for small elements, 4096
	// elements for large ones). A small element count like 4096 would also
	// be safe, but the codec grows a []byte by that many bytes at a time,
	// copying as it goes, which made decoding a 20 MiB []byte take seconds.
	h.MaxInitLen = 0
	return h
}

// encoder is a pooled msgpack encoder together with the slice it writes
// into; keeping the slice in the pooled struct spares Append a heap
// allocation for the *[]byte the codec needs.
type encoder struct {
	enc *codec.Encoder
	buf []byte
}

var encPool = sync.Pool{New: func() any {
	e := &encoder{}
	e.enc = codec.NewEncoderBytes(&e.buf, handle)
	return e
}}

var decPool = sync.Pool{New: func() any {
	return codec.NewDecoderBytes(nil, handle)
}}

// scratchPool holds buffers Marshal encodes into before copying the result
// out at its exact size: encoding into a fresh slice would allocate the
// codec's 1 KiB default buffer for every value, however small.
var scratchPool = sync.Pool{New: func() any { return new([]byte) }}

// maxScratch bounds the scratch buffers kept; a larger encoding is handed
// to the caller as is, without a copy.
const maxScratch = 64 << 10

// Marshal encodes v as msgpack into a new slice.
func Marshal(v any) ([]byte, error) {
	s := scratchPool.Get().(*[]byte)
	defer scratchPool.Put(s)
	b, err := Append((*s)[:0], v)
	if err != nil {
		return nil, err
	}
	if cap(b) > maxScratch {
		return b, nil
	}
	*s = b
	return append([]byte(nil), b...), nil
}

// Append encodes v as msgpack, appending to dst, and returns the extended
// buffer. A v that is an Appender encodes itself.
func Append(dst []byte, v any) ([]byte, error) {
	if a, ok := v.(Appender); ok {
		return appendHand(dst, a)
	}
	return appendReflect(dst, v)
}

// appendHand runs a's AppendWire, turning a panic (a bug in the
// hand-written encoder, or a nil pointer it does not expect) into an
// error as the reflective path does.
func appendHand(dst []byte, a Appender) (out []byte, err error) {
	defer func() {
		if r := recover(); r != nil {
			out, err = dst, fmt.Errorf("wire: encode %T: %v", a, r)
		}
	}()
	out, err = a.AppendWire(dst)
	if err != nil {
		return dst, fmt.Errorf("wire: encode %T: %w", a, err)
	}
	return out, nil
}

// MarshalReflect is Marshal by reflection alone, even for an Appender:
// the encoding its AppendWire must reproduce (tests compare the two).
func MarshalReflect(v any) ([]byte, error) {
	b, err := appendReflect(nil, v)
	if err != nil {
		return nil, err
	}
	return b, nil
}

// appendReflect is Append by reflection.
func appendReflect(dst []byte, v any) (out []byte, err error) {
	if err := checkType(reflect.TypeOf(v)); err != nil {
		return dst, err
	}
	e := encPool.Get().(*encoder)
	defer func() {
		if r := recover(); r != nil {
			out, err = dst, fmt.Errorf("wire: encode %T: %v", v, r)
			return
		}
		e.buf = nil
		encPool.Put(e)
	}()
	// The codec writes from the start of the slice it is given, so hand it
	// the free tail of dst, not dst itself.
	free := cap(dst) - len(dst)
	e.buf = dst[len(dst):]
	e.enc.ResetBytes(&e.buf)
	if err := e.enc.Encode(v); err != nil {
		return dst, fmt.Errorf("wire: encode %T: %w", v, err)
	}
	n := len(e.buf)
	if n <= free {
		// Still in dst's array: the codec only reallocates past its capacity.
		return dst[:len(dst)+n], nil
	}
	if len(dst) == 0 {
		return e.buf, nil
	}
	return append(dst, e.buf...), nil
}

// Unmarshal decodes msgpack data into v, which must be a non-nil pointer.
// Malformed or truncated input returns an error; it never panics. A v that
// is a Decoder decodes itself.
func Unmarshal(data []byte, v any) error {
	if d, ok := v.(Decoder); ok {
		return decodeHand(d, data)
	}
	return UnmarshalReflect(data, v)
}

// decodeHand runs d's DecodeWire, turning a panic (a bug in the
// hand-written decoder) into an error as the reflective path does.
func decodeHand(d Decoder, data []byte) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("wire: decode into %T: %v", d, r)
		}
	}()
	if err := d.DecodeWire(data); err != nil {
		return fmt.Errorf("wire: decode into %T: %w", d, err)
	}
	return nil
}

// UnmarshalReflect is Unmarshal by reflection alone, even for a Decoder:
// the decoding its DecodeWire must agree with (tests compare the two).
func UnmarshalReflect(data []byte, v any) (err error) {
	if err := checkType(reflect.TypeOf(v)); err != nil {
		return err
	}
	dec := decPool.Get().(*codec.Decoder)
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("wire: decode into %T: %v", v, r)
			return
		}
		dec.ResetBytes(nil)
		decPool.Put(dec)
	}()
	if data == nil {
		// ResetBytes(nil) is a no-op that would leave the decoder reading
		// the previous caller's input.
		data = []byte{}
	}
	dec.ResetBytes(data)
	if err := dec.Decode(v); err != nil {
		return fmt.Errorf("wire: decode into %T: %w", v, err)
	}
	return nil
}
