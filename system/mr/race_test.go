//go:build race

package mr

// raceEnabled says the test binary was built with -race, so that programs
// built by tests (plugins, commands) must be too.
const raceEnabled = true
