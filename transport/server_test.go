package transport

import (
	"errors"
	"strings"
	"testing"

	"faultline/transport/wire"
)

type addArgs struct{ A, B int }
type addReply struct{ Sum int }

type adder struct{}

func (adder) Add(args *addArgs, reply *addReply) { reply.Sum = args.A + args.B }

// newAdderServer serves adder as "Refl" (by Register) and its Add as
// "Typed.Add" (by RegisterFunc).
func newAdderServer(t *testing.T) *Server {
	t.Helper()
	s := NewServer()
	if err := s.RegisterName("Refl", adder{}); err != nil {
		t.Fatal(err)
	}
	if err := RegisterFunc(s, "Typed.Add", adder{}.Add); err != nil {
		t.Fatal(err)
	}
	return s
}

// TestRegisterFuncDispatches: a typed method and a reflective one answer
// alike, and a typed service takes further typed methods.
func TestRegisterFuncDispatches(t *testing.T) {
	s := newAdderServer(t)
	if err := RegisterFunc(s, "Typed.Neg", func(a *addArgs, r *addReply) { r.Sum = -a.A }); err != nil {
		t.Fatal(err)
	}
	body, err := wire.Marshal(&addArgs{A: 2, B: 3})
	if err != nil {
		t.Fatal(err)
	}
	for meth, want := range map[string]int{"Refl.Add": 5, "Typed.Add": 5, "Typed.Neg": -2} {
		out, err := s.Dispatch(meth, body)
		if err != nil {
			t.Fatalf("%s: %v", meth, err)
		}
		var r addReply
		if err := wire.Unmarshal(out, &r); err != nil || r.Sum != want {
			t.Errorf("%s = %+v (%v), want Sum %d", meth, r, err, want)
		}
	}
	if _, err := s.Dispatch("Typed.Add", []byte{0xc1}); !errors.Is(err, ErrBadArgs) {
		t.Errorf("bad args: err = %v, want ErrBadArgs", err)
	}
	if _, err := s.Dispatch("Typed.Sub", body); !errors.Is(err, ErrUnknownMethod) {
		t.Errorf("unknown method: err = %v, want ErrUnknownMethod", err)
	}
}

// TestRegisterFuncRefuses: bad names, a nil func, a name taken, and a
// service made by Register.
func TestRegisterFuncRefuses(t *testing.T) {
	s := newAdderServer(t)
	for _, tc := range []struct {
		name string
		fn   func(*addArgs, *addReply)
		want string
	}{
		{"NoDot", adder{}.Add, "invalid method name"},
		{".Add", adder{}.Add, "invalid method name"},
		{"Typed.", adder{}.Add, "invalid method name"},
		{"A.B.C", adder{}.Add, "invalid method name"},
		{"Typed.Nil", nil, "nil func"},
		{"Typed.Add", adder{}.Add, "already registered"},
		{"Refl.Other", adder{}.Add, "already registered by Register"},
	} {
		if err := RegisterFunc(s, tc.name, tc.fn); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("RegisterFunc(%q) = %v, want an error containing %q", tc.name, err, tc.want)
		}
	}
	if err := s.RegisterName("Typed", adder{}); err == nil {
		t.Error("Register over a typed service succeeded")
	}
}
