package backend

// Checker is a Backend that can check a Spec, without starting anything,
// for what would make Start fail: a config file its options name, the
// commands it would run. The harness calls it while it checks a config,
// before any cluster starts, and reports its error against the config's
// backend options. Errors should say where the problem is written (a
// file and line) when the Backend read it from a file.
type Checker interface {
	Check(spec Spec) error
}
