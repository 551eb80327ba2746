package maelstrom

import (
	"bytes"
	"encoding/json"
	"testing"

	"faultline/system/maelstrom"
)

// TestAppendLine: what the writer puts on a node's stdin is one line that
// decodes back to the message, whatever its ids and body hold.
func TestAppendLine(t *testing.T) {
	for _, m := range []maelstrom.Message{
		{Src: "c1", Dest: "n0", Body: json.RawMessage(`{"type":"echo","msg_id":1}`)},
		{Src: `we"ird`, Dest: "n\u00e9\n", Body: json.RawMessage("{\n  \"type\": \"x\",\n  \"s\": \"a\\nb\"\n}")},
	} {
		line := appendLine(nil, m)
		if bytes.Count(line, []byte{'\n'}) != 1 || line[len(line)-1] != '\n' {
			t.Fatalf("not one line: %q", line)
		}
		got, h, err := maelstrom.DecodeMessage(line[:len(line)-1])
		if err != nil {
			t.Fatalf("%q: %v", line, err)
		}
		var want bytes.Buffer
		json.Compact(&want, m.Body)
		if got.Src != m.Src || got.Dest != m.Dest || !bytes.Equal(got.Body, want.Bytes()) || h.Type == "" {
			t.Fatalf("round trip of %+v gave %+v", m, got)
		}
	}
	if line := appendLine(nil, maelstrom.Message{Src: "a", Dest: "b", Body: json.RawMessage("not\njson")}); bytes.Count(line, []byte{'\n'}) != 1 {
		t.Fatalf("a broken body split the line: %q", line)
	}
}
