package results

// Clients is how the run drove its backend: the harness's side (clients,
// loop, op timeout) and the backend's client settings as its cluster
// declared them (backend.ClientSetup; empty when it declares none).
type Clients struct {
	Clients    int     `json:"clients"`
	Loop       string  `json:"loop"`
	Rate       float64 `json:"rate,omitempty"`
	OpTimeoutS float64 `json:"op_timeout_s"`
	// Conns bounds the connections the clients share (client i uses
	// connection i mod Conns); 0: each client has its own, or unknown.
	Conns    int               `json:"conns"`
	Library  string            `json:"library,omitempty"`
	Sharing  string            `json:"sharing,omitempty"`
	ReadMode string            `json:"read_mode,omitempty"`
	Timeouts map[string]string `json:"timeouts,omitempty"`
}

// Bare is the harness's overhead as a run measured it (config section
// bare): its rounds, and the medians over them.
type Bare struct {
	Rounds []BareRound `json:"rounds"`
	// Medians of the rounds' throughputs, and of their harness/bare
	// ratios (Ratio; the budget is >= 0.9).
	BareOpsPerS    float64 `json:"bare_ops_per_s"`
	HarnessOpsPerS float64 `json:"harness_ops_per_s"`
	Ratio          float64 `json:"ratio"`
}

// BareRound is one pair of stretches: the harness's and the bare loop's,
// in the order First says.
type BareRound struct {
	Round          int     `json:"round"`
	First          string  `json:"first"`
	HarnessOps     int64   `json:"harness_ops"`
	HarnessS       float64 `json:"harness_s"`
	HarnessOpsPerS float64 `json:"harness_ops_per_s"`
	BareOps        int64   `json:"bare_ops"`
	BareErrors     int64   `json:"bare_errors"`
	BareDefinite   int64   `json:"bare_definite"`
	BareS          float64 `json:"bare_s"`
	BareOpsPerS    float64 `json:"bare_ops_per_s"`
	Ratio          float64 `json:"ratio"`
}
