package reports

import (
	"fmt"
	"html/template"
	"math"
	"strings"

	"faultline/workloads/checker/elle"
)

// anomalyWords explains each of elle's anomaly types in words, for the
// report (the example's own text says what happened in it).
var anomalyWords = map[string]string{
	"G0":                      "write cycle: transactions overwrite (append after) each other's writes in a cycle, so no order of them explains the final states.",
	"G1a":                     "aborted read: a transaction read a value written by a transaction that failed.",
	"G1b":                     "intermediate read: a transaction read a state another transaction passed through but did not commit last.",
	"G1c":                     "circular information flow: a cycle of write-write and write-read dependencies; each transaction saw (or overwrote) the next one's effects.",
	"G-single-item":           "read skew: a cycle with exactly one anti-dependency (rw): one transaction missed a write that is, through the other dependencies, ordered before it.",
	"G-nonadjacent-item":      "a cycle with two or more anti-dependencies (rw), no two of them adjacent: forbidden by snapshot isolation.",
	"G2-item":                 "write skew (anti-dependency cycle): a cycle with two or more anti-dependencies (rw); each transaction missed another's write.",
	"internal":                "internal inconsistency: a read contradicts the transaction's own earlier reads and writes.",
	"future-read":             "a transaction read a value that it wrote itself later.",
	"lost-update":             "lost update: two committed transactions read the same state of a key and both wrote it; one of the writes was made without seeing the other.",
	"dirty-update":            "a committed write was applied on top of a failed transaction's write.",
	"duplicate-elements":      "a read shows one appended value twice.",
	"incompatible-order":      "two reads of a key show orders of its elements that no single order of appends explains.",
	"never-written":           "a read shows a value no transaction wrote.",
	"cyclic-versions":         "an assumed version order of a key is cyclic; the assumption was dropped.",
	"empty-transaction-graph": "no transaction constrained another: there was nothing to check.",
	"duplicate-appends":       "the history appended one value twice to a key: appended values must be unique, so it cannot be checked.",
	"cycle-search-cut":        "a cycle search hit its budget: cycles may have been missed.",
}

// suffixWords explain the order a cycle type's suffix adds.
var suffixWords = map[string]string{
	"-process":  " The cycle needs each process's order of its own transactions (a session guarantee).",
	"-realtime": " The cycle needs real-time order (a transaction completed before another began), so it violates strict serializability.",
}

// AnomalyWords explains an anomaly type of elle in words; "" for a type
// it does not know.
func AnomalyWords(typ string) string {
	for suffix, words := range suffixWords {
		if base, ok := strings.CutSuffix(typ, suffix); ok && anomalyWords[base] != "" {
			return anomalyWords[base] + words
		}
	}
	return anomalyWords[typ]
}

// Geometry of a cycle drawing.
const (
	cycleNodeR   = 20.0 // a transaction's circle, at least
	cycleMargin  = 110.0
	cycleBend    = 0.22 // an edge's bulge, as a share of its length
	cycleArrow   = 8.0
	maxCycleDraw = 24 // longer cycles are listed, not drawn
)

// CycleSVG draws cycle as a small graph, inline SVG: the transactions as
// circles on a ring in cycle order (labelled T and their index in the
// source history; the operation as the tooltip), each dependency as an
// arrow bent outwards, labelled with its kind and key and coloured by
// kind (ww, wr, rw, process, realtime). Every text is escaped; the output
// depends only on the cycle.
func CycleSVG(c *elle.Cycle) template.HTML {
	n := len(c.Steps)
	if n == 0 || n > maxCycleDraw {
		return ""
	}
	ring := 60.0 + 14*float64(n)
	size := 2 * (ring + cycleMargin)
	mid := size / 2
	pos := func(i int) (float64, float64) {
		a := -math.Pi/2 + 2*math.Pi*float64(i)/float64(n)
		return mid + ring*math.Cos(a), mid + ring*math.Sin(a)
	}
	r := cycleNodeR
	for _, s := range c.Steps {
		r = max(r, 6+3.6*float64(len(fmt.Sprint(s.Index))+1))
	}
	var b strings.Builder
	fmt.Fprintf(&b, `<svg class="cycle" xmlns="http://www.w3.org/2000/svg" width="%.0f" height="%.0f" viewBox="0 0 %.0f %.0f" role="img" aria-label="dependency cycle of %d transactions">`,
		size, size, size, size, n)
	for i, s := range c.Steps {
		x1, y1 := pos(i)
		x2, y2 := pos((i + 1) % n)
		drawEdge(&b, x1, y1, x2, y2, mid, r, n, s)
	}
	for i, s := range c.Steps {
		x, y := pos(i)
		fmt.Fprintf(&b, `<g class="txn"><title>%s</title><circle cx="%.1f" cy="%.1f" r="%.1f"/><text x="%.1f" y="%.1f" text-anchor="middle" dominant-baseline="central">T%d</text></g>`,
			template.HTMLEscapeString(s.Op), x, y, r, x, y, s.Index)
	}
	b.WriteString(`</svg>`)
	return template.HTML(b.String()) // every text above is escaped
}

// drawEdge draws the dependency of step s from (x1, y1) to (x2, y2): a
// quadratic curve bulging away from the ring's centre (for two
// transactions, to its right), an arrowhead at the target's circle and a
// label at the bulge.
func drawEdge(b *strings.Builder, x1, y1, x2, y2, mid, r float64, n int, s elle.Step) {
	dx, dy := x2-x1, y2-y1
	length := math.Hypot(dx, dy)
	// The normal to the right of the direction of travel; on a clockwise
	// ring it points away from the centre.
	nx, ny := -dy/length, dx/length
	if n > 2 && (nx*((x1+x2)/2-mid)+ny*((y1+y2)/2-mid)) < 0 {
		nx, ny = -nx, -ny
	}
	bend := cycleBend * length
	cx, cy := (x1+x2)/2+nx*bend, (y1+y2)/2+ny*bend
	// Start and end on the circles, towards the control point.
	sx, sy := toward(x1, y1, cx, cy, r)
	ex, ey := toward(x2, y2, cx, cy, r+1)
	rel := s.Rel.String()
	fmt.Fprintf(b, `<g class="dep e-%s"><title>%s</title><path d="M%.1f %.1f Q%.1f %.1f %.1f %.1f" fill="none"/>`,
		rel, template.HTMLEscapeString(s.Why), sx, sy, cx, cy, ex, ey)
	// The arrowhead points along the curve's end tangent (control to end).
	ux, uy := ex-cx, ey-cy
	ul := math.Hypot(ux, uy)
	ux, uy = ux/ul, uy/ul
	fmt.Fprintf(b, `<polygon points="%.1f,%.1f %.1f,%.1f %.1f,%.1f"/>`, ex, ey,
		ex-cycleArrow*ux-cycleArrow/2*uy, ey-cycleArrow*uy+cycleArrow/2*ux,
		ex-cycleArrow*ux+cycleArrow/2*uy, ey-cycleArrow*uy-cycleArrow/2*ux)
	label := rel
	if s.Key != "" {
		label += " " + s.Key
	}
	// The label sits at the curve's apex, pushed a little further out.
	lx, ly := (x1+x2)/2+nx*(bend/2+14), (y1+y2)/2+ny*(bend/2+14)
	fmt.Fprintf(b, `<text x="%.1f" y="%.1f" text-anchor="middle" dominant-baseline="central">%s</text></g>`,
		lx, ly, template.HTMLEscapeString(clip(label, 40)))
}

// toward moves (x, y) by d towards (tx, ty).
func toward(x, y, tx, ty, d float64) (float64, float64) {
	l := math.Hypot(tx-x, ty-y)
	if l == 0 {
		return x, y
	}
	return x + (tx-x)/l*d, y + (ty-y)/l*d
}

// modelNames renders models for the page.
func modelNames(ms []elle.Model) string {
	s := make([]string, len(ms))
	for i, m := range ms {
		s[i] = string(m)
	}
	return strings.Join(s, ", ")
}
