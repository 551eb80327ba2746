// Package layering holds the test that enforces Faultline's import layering
// (see STYLE.md): imports point down only, and protocol packages never
// import a backend. It imports only the standard library (and runs `go
// list`).
package layering
