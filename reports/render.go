package reports

import (
	"bytes"
	"embed"
	"encoding/json"
	"fmt"
	"html/template"
	"io"
	"path/filepath"
	"strconv"
	"strings"

	"faultline/workloads/results"
)

//go:embed assets/uplot.iife.min.js assets/uplot.min.css assets/report.js assets/report.css assets/*.tmpl
var assetFS embed.FS

// assets are the inline parts every page carries.
type assets struct {
	UPlotJS  template.JS
	UPlotCSS template.CSS
	JS       template.JS
	CSS      template.CSS
}

func mustAsset(name string) string {
	b, err := assetFS.ReadFile("assets/" + name)
	if err != nil {
		panic(fmt.Sprintf("reports: embedded asset %s: %v", name, err))
	}
	return string(b)
}

var (
	pageAssets = assets{
		UPlotJS:  template.JS(mustAsset("uplot.iife.min.js")),
		UPlotCSS: template.CSS(mustAsset("uplot.min.css")),
		JS:       template.JS(mustAsset("report.js")),
		CSS:      template.CSS(mustAsset("report.css")),
	}
	pages = template.Must(template.New("pages").Funcs(template.FuncMap{
		"join": strings.Join,
		"us":   func(v int64) string { return formatUS(float64(v)) },
		"usf":  formatUS,
		"ns":   func(v int64) string { return strconv.FormatFloat(float64(v)/1e9, 'f', 3, 64) },
		"pct": func(v float64) string {
			if v < 0 {
				return "–"
			}
			return strconv.FormatFloat(100*v, 'f', 2, 64) + "%"
		},
		"ratio":       formatRatio,
		"settings":    SettingsText,
		"minCoverage": func() float64 { return results.MinCoverage },
		"cycleSVG":    CycleSVG,
		"anomalyText": AnomalyWords,
		"models":      modelNames,
	}).ParseFS(assetFS, "assets/*.tmpl"))
)

// formatUS writes a latency in µs with a readable unit.
func formatUS(v float64) string {
	switch {
	case v >= 1e6:
		return strconv.FormatFloat(v/1e6, 'f', 2, 64) + " s"
	case v >= 1e3:
		return strconv.FormatFloat(v/1e3, 'f', 2, 64) + " ms"
	}
	return strconv.FormatFloat(v, 'f', 0, 64) + " µs"
}

// page is what the templates see.
type page struct {
	Title  string
	Assets assets
	JSON   template.JS
	Data   *Data
	Index  []IndexEntry
	Cmp    *Comparison
	Bench  *Benchmark
}

// DataJSON returns the data section of d as embedded in the page.
func DataJSON(d *Data) ([]byte, error) {
	// json.Marshal escapes <, > and &, so the text cannot close the
	// <script> element it is embedded in.
	b, err := json.Marshal(d)
	if err != nil {
		return nil, fmt.Errorf("reports: encode data: %w", err)
	}
	return b, nil
}

// Write renders the report of d as one self-contained HTML page.
func Write(w io.Writer, d *Data) error {
	js, err := DataJSON(d)
	if err != nil {
		return err
	}
	title := "Faultline · " + d.Header.Name + " · " + d.Header.Verdict.String()
	return execute(w, "report", &page{Title: title, Assets: pageAssets, JSON: template.JS(js), Data: d})
}

func execute(w io.Writer, name string, p *page) error {
	if err := pages.ExecuteTemplate(w, name, p); err != nil {
		return fmt.Errorf("reports: render %s: %w", name, err)
	}
	return nil
}

// WriteReport builds the report of the results folder dir and writes it
// to dir/report.html, atomically. It returns the file's path.
func WriteReport(dir string) (string, error) {
	d, err := Build(dir)
	if err != nil {
		return "", err
	}
	var buf bytes.Buffer
	if err := Write(&buf, d); err != nil {
		return "", err
	}
	path := filepath.Join(dir, "report.html")
	return path, results.WriteFile(path, buf.Bytes())
}
