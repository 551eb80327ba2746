package checker

import (
	"fmt"
	"html"
	"math"
	"os"

	"github.com/anishathalye/porcupine"

	"faultline/workloads/history"
)

// visualize re-checks the failing key verbosely and writes porcupine's HTML,
// annotated with the key and the fault windows. Each operation's tooltip
// names the op by its position in the history, its client, outcome, node
// and error.
func visualize(model porcupine.Model, part *history.Part, res *Result, opts PorcupineOptions) error {
	model.DescribeOperationMetadata = func(m any) string {
		if m == nil {
			return ""
		}
		j := m.(int)
		op := &part.Ops[j]
		s := fmt.Sprintf("op %d, client %d, %s", part.At[j], op.Client, op.Outcome)
		if op.Node != "" {
			s += ", node " + op.Node
		}
		if op.Error != "" {
			s += ", " + op.Error
		}
		return s
	}
	pops := toPorcupine(part, true)
	_, info := porcupine.CheckOperationsVerbose(model, pops, opts.KeyTimeout)
	first, last := int64(math.MaxInt64), int64(0)
	for _, op := range pops {
		first = min(first, op.Call)
		last = max(last, part.Ops[op.Metadata.(int)].Complete)
	}
	key, n := part.Key, len(pops)
	notes := []porcupine.Annotation{{
		Tag: "checker", Start: first,
		Description: fmt.Sprintf("key %q: not linearizable", key),
		Details:     fmt.Sprintf("%s on key %q; no linearization exists", plural(n, "op"), key),
	}}
	for _, e := range opts.Events {
		stop := e.Stop
		if stop == history.Open {
			stop = max(last, e.Start)
		}
		notes = append(notes, porcupine.Annotation{
			Tag: "fault", Start: e.Start, End: stop,
			Description: e.Kind, Details: fmt.Sprintf("%s %v", e.Desc, e.Nodes),
			BackgroundColor: "#f4cccc",
		})
	}
	info.AddAnnotations(notes)
	model = forHTML(model)
	if opts.Visualization != nil {
		if err := porcupine.Visualize(model, info, opts.Visualization); err != nil {
			return fmt.Errorf("checker: visualization: %w", err)
		}
	}
	if opts.VisualizationPath != "" {
		f, err := os.Create(opts.VisualizationPath)
		if err != nil {
			return fmt.Errorf("checker: visualization: %w", err)
		}
		werr := porcupine.Visualize(model, info, f)
		if cerr := f.Close(); werr == nil {
			werr = cerr
		}
		if werr != nil {
			return fmt.Errorf("checker: visualization: %w", werr)
		}
		res.Visualization = opts.VisualizationPath
	}
	return nil
}

// forHTML returns model with every description that porcupine's page
// inserts as HTML escaped. It is the one place where history text (node
// names, error text, keys and values) enters the visualization's HTML:
// the operation metadata and the model states are set as the tooltip's
// innerHTML, so they are escaped here; operation descriptions, annotation
// texts and tags are set as text (textContent) by the page and pass as
// they are, so that they read as written. The data section itself is JSON
// with <, > and & escaped, so no text can close its <script> element.
func forHTML(model porcupine.Model) porcupine.Model {
	meta, state := model.DescribeOperationMetadata, model.DescribeState
	if meta == nil {
		meta = func(any) string { return "" }
	}
	if state == nil {
		state = func(s any) string { return fmt.Sprint(s) } // porcupine's default
	}
	model.DescribeOperationMetadata = func(m any) string { return html.EscapeString(meta(m)) }
	model.DescribeState = func(s any) string { return html.EscapeString(state(s)) }
	return model
}
