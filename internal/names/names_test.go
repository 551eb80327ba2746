package names

import "testing"

type kind uint8

const (
	kindA kind = iota + 1
	kindB
)

func (k kind) String() string { return Of(k, "kind", kindA, "A", "B") }

type level int8

func (l level) String() string { return Of(l, "level", 0, "low", "high") }

func TestOf(t *testing.T) {
	cases := []struct {
		got, want string
	}{
		{kindA.String(), "A"},
		{kindB.String(), "B"},
		{kind(0).String(), "kind(0)"},
		{kind(3).String(), "kind(3)"},
		{kind(255).String(), "kind(255)"},
		{level(0).String(), "low"},
		{level(1).String(), "high"},
		{level(2).String(), "level(2)"},
		{level(-1).String(), "level(-1)"},
	}
	for i, c := range cases {
		if c.got != c.want {
			t.Errorf("case %d: got %q, want %q", i, c.got, c.want)
		}
	}
}
