// Package transporttest is the conformance suite that every Faultline
// transport must pass, in the manner of hashicorp/raft's transport tests:
// one set of cases run against each implementation through a small Harness.
//
// An implementation's test wires itself in with a few lines:
//
//	func TestConformance(t *testing.T) {
//		transporttest.Run(t, func(t *testing.T) transporttest.Harness {
//			return newMyHarness(t) // closes everything in t.Cleanup
//		})
//	}
//
// The suite covers round trips, many concurrent callers, deadlines, remote
// errors (unknown service or method, undecodable arguments), server restart
// with the same caller, and every kind of link fault of transport.LinkFaults.
// It synchronises on conditions with deadlines, never on bare sleeps.
//
// It may import the standard library, package transport and testing
// helpers only; the transports' own tests import it, never production
// code.
package transporttest
