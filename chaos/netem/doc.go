// Package netem describes the network faults of one directed link in the
// manner of Linux's netem (delay with jitter and a distribution, loss with
// Gilbert-Elliott burst correlation, duplication, reordering, a bandwidth
// limit) plus connection faults (reset, stall, slow close), and decides them
// message by message with a seeded source.
//
// Its Network interface is what the chaos controller drives. Two
// implementations exist: Seam adapts a transport.LinkFaulter (the fault table
// of Faultline's own transports, which applies every fault itself when it
// says so through transport.FaultSupport, as transport/tcp's does), and
// chaos/proxy's Mesh puts a TCP proxy on every directed link for systems
// whose networking Faultline does not own.
package netem
