package netem

import (
	"strings"
	"testing"
)

func TestLinkValidate(t *testing.T) {
	for _, tc := range []struct {
		l    Link
		want string
	}{
		{Link{Loss: 1.5}, "netem: Loss = 1.5, want a probability"},
		{Link{Duplicate: -0.1}, "Duplicate = -0.1"},
		{Link{Delay: -1}, "Delay = -1ns, want >= 0"},
		{Link{Bandwidth: -5}, "Bandwidth = -5"},
		{Link{Distribution: "cauchy", Jitter: 1}, `Distribution = "cauchy"`},
		{Link{Conn: "explode"}, `Conn = "explode"`},
		{Link{Loss: 1, Burst: 4}, "with Loss = 1, want Loss < 1"},
		{Link{Burst: -1}, "Burst = -1"},
	} {
		err := tc.l.Validate()
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%+v: error %v, want %q", tc.l, err, tc.want)
		}
	}
	ok := Link{Delay: 5, Jitter: 2, Distribution: Pareto, Loss: 0.2, Burst: 3, Bandwidth: 1000, Conn: ConnSlowClose, SlowClose: 7}
	if err := ok.Validate(); err != nil {
		t.Errorf("valid link refused: %v", err)
	}
}
