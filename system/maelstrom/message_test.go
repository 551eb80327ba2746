package maelstrom

import (
	"errors"
	"io"
	"strings"
	"testing"
)

func TestDecodeMessage(t *testing.T) {
	m, h, err := DecodeMessage([]byte(`{"src":"c1","dest":"n0","body":{"type":"echo","msg_id":0,"echo":"x"}}`))
	if err != nil {
		t.Fatal(err)
	}
	if m.Src != "c1" || m.Dest != "n0" || h.Type != "echo" || h.MsgID == nil || *h.MsgID != 0 || h.InReplyTo != nil {
		t.Fatalf("got %+v %+v", m, h)
	}
	for _, bad := range []string{
		`not json`, `{"dest":"n0","body":{"type":"x"}}`, `{"src":"c1","body":{"type":"x"}}`,
		`{"src":"c1","dest":"n0","body":[1]}`, `{"src":"c1","dest":"n0","body":{"msg_id":1}}`,
		`{"src":"c1","dest":"n0"}`, `{"src":"c1","dest":"n0","body":{"type":7}}`,
	} {
		if _, _, err := DecodeMessage([]byte(bad)); !errors.Is(err, ErrMalformed) {
			t.Errorf("%s: err = %v, want ErrMalformed", bad, err)
		}
	}
}

func TestLineReaderBoundsLines(t *testing.T) {
	long := strings.Repeat("x", 200<<10)
	in := "a\r\n" + long + "\nb\nlast"
	lr := NewLineReader(strings.NewReader(in), 100<<10)
	var got []string
	var tooLong int
	for {
		line, err := lr.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if errors.Is(err, ErrLineTooLong) {
			tooLong++
			if !strings.Contains(err.Error(), "xxxx") {
				t.Errorf("error %q does not quote the line", err)
			}
			continue
		}
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, string(line))
	}
	if tooLong != 1 || strings.Join(got, ",") != "a,b,last" {
		t.Fatalf("lines %q, too long %d", got, tooLong)
	}
}

func TestCodes(t *testing.T) {
	if CodeTimeout.Definite() || CodeCrash.Definite() || Code(1000).Definite() {
		t.Error("timeout, crash and unknown codes must be indefinite")
	}
	if !CodeTemporarilyUnavailable.Definite() || !CodePreconditionFailed.Definite() || !CodeTxnConflict.Definite() {
		t.Error("temporarily-unavailable, precondition-failed, txn-conflict are definite")
	}
	if CodeKeyDoesNotExist.String() != "key-does-not-exist" || Code(1234).String() != "code 1234" {
		t.Error("names")
	}
}
