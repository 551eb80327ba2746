// Package simnet is an in-memory, seeded network for deterministic tests of
// RPC systems, in the shape of the MIT 6.824 course's labrpc package.
//
// A Network holds named client ends (MakeEnd) and named servers (AddServer,
// each a *transport.Server). Connect attaches an end to a server name, Enable
// switches an end on or off, and DeleteServer crashes a server: calls that
// are in flight when it goes away fail, and a server re-added under the same
// name never receives (nor answers) calls meant for its predecessor.
//
// Every call goes through the same msgpack codec as the TCP transport
// (package transport/wire): arguments and replies are really encoded and
// decoded, and their bytes are counted (GetTotalBytes). Each delivered call
// runs its handler in a fresh goroutine, as labrpc does.
//
// Three labrpc switches shape the whole network: Reliable(false) adds short
// random delays and drops about 10% of requests and 10% of replies;
// LongReordering(true) holds some replies back for up to about two seconds;
// LongDelays(true) makes calls to a disabled end or a missing server take up
// to seven seconds to fail rather than up to a hundred milliseconds.
//
// Network also implements transport.LinkFaulter: per directed link between
// nodes (SetOrigin says which node owns an end) it applies delay with jitter
// in a uniform, normal or pareto shape, independent or bursty drops,
// duplication, reordering, blocking and a bandwidth limit (by encoded
// message size); it refuses connection faults, having no connections.
// Requests travel the link origin -> server and replies the link
// server -> origin.
//
// All randomness comes from one source seeded by MakeNetwork, so a test that
// logs its seed can be replayed with the same random choices (the goroutine
// schedule, and so the order in which calls draw from the source, is not
// reproducible).
//
// It may import the standard library, package transport and transport/wire
// (msgpack) only.
package simnet
