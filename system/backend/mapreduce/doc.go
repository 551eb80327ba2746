// Package mapreduce is the "mapreduce" backend: Faultline's MapReduce
// (system/mr) as a cluster under test that runs batch jobs.
//
// A cluster is Spec.Nodes workers, named w0, w1, ...; a job's coordinator
// runs in the harness. RunJob (backend.Batch) starts a coordinator for the
// job and one worker per node, through the shared supervisor
// (system/backend/nodeproc): in process mode every worker is the harness
// binary started again as `bench node mapreduce ARGS` (RunNode, with an
// mr.WorkerConfig as arguments), in-process mode runs workers as
// goroutines. A worker that dies by itself before the job is done (the
// crash app) is replaced under the same name. Workers run only while a
// job does.
//
// Faults come from the harness's chaos schedule, through the cluster's
// powers: backend.Killer (Kill crashes a worker; Restart starts a
// replacement with the same node name, while a job runs) and, in process
// mode, backend.Pauser (SIGSTOP and SIGCONT). The job's result is judged
// by comparing JobReport.Output with JobReport.Reference, the output of
// a sequential run (mr.Sequential) when JobSpec.Verify asks for one.
//
// Options (Spec.Options): "serve" ("true": workers serve their map output
// to each other over RPC instead of sharing it through the output
// directory, so a kill loses map output), "maxrestarts" (bound on the
// replacements of workers that died by themselves, per job; default
// 1000), and "env.NAME" (variable NAME in worker processes' environment,
// for the test apps' knobs such as mr.EnvCrashExit).
//
// Start makes the cluster a fresh secret (nodeproc.NewSecret, in
// Spec.Dir): every job's coordinator listens with it, and workers get its
// file's path in mr.WorkerConfig.SecretFile, so their calls to the
// coordinator and to each other, and their own listeners, authenticate.
//
// The package imports system/backend, system/backend/nodeproc and
// system/mr.
package mapreduce
