// Package reports turns a run's results folder into HTML: one
// self-contained report.html per run, an index of every run in a results
// directory, a side-by-side comparison of several runs, and an HTTP handler
// that serves a results directory for browsing.
//
// # Inputs
//
// The package reads what the harness writes and nothing else: results.json
// (schema 1, declared once in faultline/workloads/results) and the
// JSON-lines history.jsonl (read with faultline/workloads/history's reader,
// the one decoder of that format). Unknown fields of results.json are
// ignored, so that newer harnesses that add fields within schema 1 still
// render.
//
// A run of a backend that routes messages itself (Maelstrom nodes) adds
// results.json's network and node_stats sections, the node logs they name
// and the message journal messages.jsonl (read with workloads/results'
// bounded JournalReader): the report shows network statistics, node
// processes and a message-sequence (Lamport) diagram of the journal's
// first messages, drawn as inline SVG by the page script; every text from
// the journal is clipped in Go and set as text, never as markup.
//
// reports imports the standard library, workloads/results,
// workloads/history and workloads/checker (verdicts); never bench, chaos or
// anything under system/ (the layering test enforces it).
//
// # Pages
//
// A report is one HTML file with everything inline: the vendored uPlot
// chart library (assets/, MIT), the page's own script and style, and a
// data section, a <script type="application/json" id="report-data">
// holding a Data value. The page script draws every chart from the data
// section; Go only computes and downsamples. After drawing, the script
// records what it did in attributes of <body> (data-status, data-charts,
// data-errors), which the browser test reads.
//
// Large runs stay light: the latency scatter keeps at most MaxScatter
// successful ops (spread evenly over time, plus the slowest op of every
// time bucket, so spikes survive) and every failed and unknown op up to
// MaxScatterFailures; every other chart is drawn from per-second series.
package reports
