// Package layering holds the test that enforces Faultline's import layering
// (see STYLE.md): imports point down only.
package layering
