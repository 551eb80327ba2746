// Package wiretest checks hand-written codecs (wire.Appender and
// wire.Decoder) against the reflective encoding they stand in for: the
// same bytes out, the same values in. A message type with a hand-written
// codec gets a test and a fuzz target of a few lines:
//
//	func TestArgsCodec(t *testing.T) { wiretest.Check(t, Args{Term: 3, Key: "k"}) }
//
//	func FuzzArgsCodec(f *testing.F) { wiretest.Fuzz(f, Args{Term: 3, Key: "k"}) }
//
// It may import the standard library, transport/wire and testing only;
// only tests import it.
package wiretest
