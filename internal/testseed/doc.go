// Package testseed is the one -seed flag of Faultline's randomized tests
// (Raft's simulator, the storage model and crash tests, the checker's
// generated histories, the lab harness's simulated network): a test takes
// its seed from it, and the seed is logged so that a failing run replays
// with -seed.
//
// It imports only the standard library; only tests (and test harnesses
// such as internal/labcluster) import it.
package testseed
