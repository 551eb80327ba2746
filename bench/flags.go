package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
)

// subcommandFlags returns the flag set of a bench subcommand: parse errors
// and usage go to stderr, the usage being the given text followed by the
// flags' defaults.
func subcommandFlags(name, usage string, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintln(stderr, usage)
		fs.PrintDefaults()
	}
	return fs
}

// parseExit is the exit status of a subcommand whose flags did not parse:
// valid after -help (the usage was printed), failed otherwise (the error
// was).
func parseExit(err error) int {
	if errors.Is(err, flag.ErrHelp) {
		return exitValid
	}
	return exitFailed
}
