package tcp

import (
	"testing"

	"faultline/transport/wire"
	"faultline/transport/wire/wiretest"
)

// EchoArgs and EchoReply encode and decode themselves (wire.Appender and
// wire.Decoder), as a hot message type of a system would: the benchmarks'
// payload travels by the hand-written path, and the conformance suite's
// transporttest.EchoArgs by reflection.

// AppendWire implements wire.Appender.
func (a *EchoArgs) AppendWire(b []byte) ([]byte, error) { return appendEcho(b, a.N, a.S, a.Pad), nil }

// DecodeWire implements wire.Decoder.
func (a *EchoArgs) DecodeWire(data []byte) error { return decodeEcho(data, &a.N, &a.S, &a.Pad) }

// AppendWire implements wire.Appender.
func (r *EchoReply) AppendWire(b []byte) ([]byte, error) { return appendEcho(b, r.N, r.S, r.Pad), nil }

// DecodeWire implements wire.Decoder.
func (r *EchoReply) DecodeWire(data []byte) error { return decodeEcho(data, &r.N, &r.S, &r.Pad) }

// appendEcho appends the encoding of the fields N, S and Pad shared by
// EchoArgs and EchoReply: a map, keys in name order.
func appendEcho(b []byte, n int, s string, pad []byte) []byte {
	b = wire.AppendMapHeader(b, 3)
	b = wire.AppendInt(wire.AppendString(b, "N"), int64(n))
	b = wire.AppendBytes(wire.AppendString(b, "Pad"), pad)
	return wire.AppendString(wire.AppendString(b, "S"), s)
}

// decodeEcho decodes what appendEcho encodes (or reflection, in any field
// order, with fields it skips) into the fields.
func decodeEcho(data []byte, n *int, s *string, pad *[]byte) error {
	r := wire.NewReader(data)
	for k := r.ReadMapLen(); k > 0 && r.Err() == nil; k-- {
		switch string(r.ReadKey()) {
		case "N":
			*n = int(r.ReadInt())
		case "Pad":
			*pad = r.ReadBytes()
		case "S":
			*s = r.ReadString()
		default:
			r.Skip()
		}
	}
	return r.Err()
}

var echoSamples = []EchoArgs{{N: 7, S: "AppendEntries"}, {N: -1 << 40, Pad: []byte{}}, {Pad: make([]byte, 300)}, {}}

func TestEchoCodec(t *testing.T) {
	wiretest.Check(t, echoSamples...)
	replies := make([]EchoReply, len(echoSamples))
	for i, a := range echoSamples {
		replies[i] = EchoReply(a)
	}
	wiretest.Check(t, replies...)
}

func FuzzEchoCodec(f *testing.F) { wiretest.Fuzz(f, echoSamples...) }
