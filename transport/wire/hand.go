package wire

// Appender is implemented by a message type with a hand-written encoding.
// Append and Marshal call AppendWire instead of encoding the value by
// reflection, which for a small struct costs several times the work.
//
// AppendWire must append exactly the bytes the reflective encoding
// (MarshalReflect) produces for the same value: a map from field name to
// value, the fields in the order of their names, so that the value reads
// the same whether it travels alone or inside another value (where
// reflection encodes it), and a peer without the method decodes it. Build
// it from AppendMapHeader, AppendString, AppendInt and their siblings, and
// check it against MarshalReflect in a test (wiretest.Check). On an error
// it returns the error; Append then returns dst as it was. Reflection
// encodes a nil pointer as nil; an AppendWire that does not check for a
// nil receiver panics there, which Append reports as an error.
type Appender interface {
	AppendWire(dst []byte) ([]byte, error)
}

// Decoder is implemented by a message type with a hand-written decoding.
// Unmarshal calls DecodeWire instead of decoding by reflection.
//
// DecodeWire must read every encoding the reflective encoder produces for
// the type into the value UnmarshalReflect would give, and nothing else
// into a different value: on input both accept, both must agree. It reads
// data through a Reader, whose every read is bounded by the input, and
// must copy what it keeps: data is the transport's buffer, reused after
// the call. Like the reflective decoder, it sets the fields the input
// names and leaves the others as they were; a msgpack nil sets a field to
// its zero value.
type Decoder interface {
	DecodeWire(data []byte) error
}
