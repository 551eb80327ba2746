package reports

import (
	"context"
	"errors"
	"image"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"faultline/workloads/checker"
)

// The browser tests render pages in Debian's chromium, headless. They skip
// when no chromium is installed, except under CI=true, where a missing
// browser fails them. FAULTLINE_SCREENSHOTS=DIR keeps the screenshots.

func chromiumPath(t *testing.T) string {
	t.Helper()
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome", "google-chrome-stable"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	if os.Getenv("CI") == "true" {
		t.Fatal("CI=true but no chromium on PATH: install it (apt-get install -y chromium)")
	}
	t.Skip("no chromium on PATH (apt-get install -y chromium); set CI=true to make this a failure")
	return ""
}

// chromium runs the browser headless on args plus url and returns stdout.
//
// Debian's chromium, headless on a loaded machine, very rarely dies of a
// signal (SIGSEGV) before it has loaded anything: seen twice in a few
// hundred runs beside a full -race suite, never reproduced alone. A crash
// of the browser says nothing of the page, so such a run is started once
// more, and logged; any other failure, and a second crash, fail the test.
// Assertions are never retried: they look at what a run that completed
// printed.
func chromium(t *testing.T, bin, url string, args ...string) []byte {
	t.Helper()
	out, stderr, err := runChromium(bin, url, args...)
	if crashed(err) && len(out) == 0 {
		t.Logf("chromium died (%v) before printing anything; starting it once more", err)
		out, stderr, err = runChromium(bin, url, args...)
	}
	if err != nil {
		t.Fatalf("chromium %s: %v\n%s", url, err, tail(stderr, 2000))
	}
	return out
}

// crashed reports whether err says the browser died of a crash signal
// (not of the timeout's SIGKILL, nor with an exit status).
func crashed(err error) bool {
	var ee *exec.ExitError
	if !errors.As(err, &ee) {
		return false
	}
	ws, ok := ee.Sys().(syscall.WaitStatus)
	if !ok || !ws.Signaled() {
		return false
	}
	switch ws.Signal() {
	case syscall.SIGSEGV, syscall.SIGBUS, syscall.SIGABRT, syscall.SIGTRAP:
		return true
	}
	return false
}

// runChromium runs the browser once and returns its stdout, its stderr and
// its error.
func runChromium(bin, url string, args ...string) ([]byte, string, error) {
	userDir, err := os.MkdirTemp("", "chromium-profile-")
	if err != nil {
		return nil, "", err
	}
	defer os.RemoveAll(userDir)
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	all := append([]string{
		"--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
		"--disable-background-networking", "--disable-component-update", "--disable-sync",
		"--disable-dev-shm-usage", "--user-data-dir=" + userDir, "--virtual-time-budget=10000",
	}, args...)
	cmd := exec.CommandContext(ctx, bin, append(all, url)...)
	// The browser's helper processes share its process group, which is
	// killed as a whole on timeout.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	return out, stderr.String(), err
}

func tail(s string, n int) string {
	if len(s) > n {
		return s[len(s)-n:]
	}
	return s
}

var bodyTag = regexp.MustCompile(`<body[^>]*>`)
var attr = regexp.MustCompile(`(data-[a-z-]+)="([^"]*)"`)

// bodyAttrs returns the data- attributes of the dumped DOM's <body>.
func bodyAttrs(t *testing.T, dom []byte) map[string]string {
	t.Helper()
	tag := bodyTag.Find(dom)
	if tag == nil {
		t.Fatalf("no <body> in the dumped DOM:\n%s", tail(string(dom), 2000))
	}
	m := map[string]string{}
	for _, a := range attr.FindAllSubmatch(tag, -1) {
		m[string(a[1])] = string(a[2])
	}
	return m
}

// renderCheck loads a page in the browser and checks that the script ran
// without errors and drew want charts, each with painted pixels; then it
// takes a screenshot and checks that it is not blank.
func renderCheck(t *testing.T, bin, path string, want int) map[string]string {
	t.Helper()
	url := "file://" + path
	dom := chromium(t, bin, url, "--dump-dom")
	a := bodyAttrs(t, dom)
	if a["data-status"] != "ok" || a["data-errors"] != "0" {
		box := regexp.MustCompile(`(?s)<div id="js-errors"[^>]*>(.*?)</div>`).FindSubmatch(dom)
		var msg []byte
		if box != nil {
			msg = box[1]
		}
		t.Fatalf("%s: status %q, %s JavaScript errors: %s", path, a["data-status"], a["data-errors"], msg)
	}
	if a["data-charts"] != strconv.Itoa(want) || a["data-painted"] != strconv.Itoa(want) {
		t.Errorf("%s: %s charts created and %s painted, want %d", path, a["data-charts"], a["data-painted"], want)
	}
	shot := filepath.Join(t.TempDir(), "shot.png")
	chromium(t, bin, url, "--window-size=1300,3000", "--hide-scrollbars", "--screenshot="+shot)
	checkScreenshot(t, shot)
	if keep := os.Getenv("FAULTLINE_SCREENSHOTS"); keep != "" {
		b, err := os.ReadFile(shot)
		if err == nil {
			name := strings.ReplaceAll(strings.TrimPrefix(t.Name(), "TestBrowser"), "/", "-") + ".png"
			err = os.WriteFile(filepath.Join(keep, strings.TrimLeft(name, "-")), b, 0o644)
		}
		if err != nil {
			t.Errorf("keep screenshot: %v", err)
		}
	}
	return a
}

// checkScreenshot fails unless the PNG has a good share of coloured
// (neither white nor page-grey) pixels: charts and text were painted.
func checkScreenshot(t *testing.T, path string) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatalf("screenshot: %v", err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		t.Fatalf("screenshot: %v", err)
	}
	var coloured, total int
	b := img.Bounds()
	for y := b.Min.Y; y < b.Max.Y; y += 3 {
		for x := b.Min.X; x < b.Max.X; x += 3 {
			total++
			if !plain(img, x, y) {
				coloured++
			}
		}
	}
	if total == 0 || coloured*200 < total {
		t.Errorf("screenshot %s looks blank: %d of %d sampled pixels coloured", path, coloured, total)
	}
}

func plain(img image.Image, x, y int) bool {
	r, g, b, _ := img.At(x, y).RGBA()
	r, g, b = r>>8, g>>8, b>>8
	return r > 240 && g > 240 && b > 240
}

func TestBrowser(t *testing.T) {
	bin := chromiumPath(t)
	root := t.TempDir()
	kv := filepath.Join(root, "20261123-120000-kv")
	job := filepath.Join(root, "20261123-130000-job")
	big := filepath.Join(root, "20261123-140000-big")
	for _, d := range []string{kv, job, big} {
		if err := os.Mkdir(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	synthRun(t, kv, synthOptions{seed: 1, ops: 20_000, seconds: 20, verdict: checker.Invalid})
	synthRun(t, job, synthOptions{seed: 2, verdict: checker.Valid, job: true})
	bigOps := 200_000
	if os.Getenv("FAULTLINE_REPORTS_1M") != "" {
		bigOps = 1_000_000
	}
	synthRun(t, big, synthOptions{seed: 3, ops: bigOps, seconds: 60, verdict: checker.Valid})

	t.Run("kv", func(t *testing.T) {
		p, err := WriteReport(kv)
		if err != nil {
			t.Fatal(err)
		}
		// throughput, scatter, latency per second, percentiles, events
		renderCheck(t, bin, p, 5)
	})
	t.Run("job", func(t *testing.T) {
		p, err := WriteReport(job)
		if err != nil {
			t.Fatal(err)
		}
		renderCheck(t, bin, p, 1) // the Gantt chart
	})
	t.Run("large", func(t *testing.T) {
		start := time.Now()
		p, err := WriteReport(big)
		if err != nil {
			t.Fatal(err)
		}
		build := time.Since(start)
		st, err := os.Stat(p)
		if err != nil {
			t.Fatal(err)
		}
		a := renderCheck(t, bin, p, 5)
		ms, err := strconv.Atoi(a["data-draw-ms"])
		if err != nil {
			t.Fatalf("data-draw-ms %q: %v", a["data-draw-ms"], err)
		}
		t.Logf("%d ops: report built in %v, %d KiB, drawn in %d ms", bigOps, build.Round(time.Millisecond), st.Size()>>10, ms)
		if ms > 5000 {
			t.Errorf("drawing the report of %d ops took %d ms, want a few seconds at most", bigOps, ms)
		}
	})
	t.Run("maelstrom", func(t *testing.T) {
		dir := filepath.Join(root, "20261123-150000-maelstrom")
		if err := os.Mkdir(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		synthMaelstrom(t, dir, 4, 900, false)
		p, err := WriteReport(dir)
		if err != nil {
			t.Fatal(err)
		}
		// The KV run's five charts, and the message-sequence diagram.
		a := renderCheck(t, bin, p, 5)
		if a["data-diagrams"] != "1" || a["data-arrows"] != strconv.Itoa(MaxSequenceMessages) {
			t.Errorf("diagram attributes %v, want 1 diagram of %d arrows", a, MaxSequenceMessages)
		}
	})
	t.Run("compare", func(t *testing.T) {
		p := filepath.Join(root, "compare.html")
		if err := WriteCompareFile(p, []string{kv, big}); err != nil {
			t.Fatal(err)
		}
		renderCheck(t, bin, p, 3)
	})
	t.Run("benchmark", func(t *testing.T) {
		broot := filepath.Join(t.TempDir(), "bench")
		if err := os.Mkdir(broot, 0o755); err != nil {
			t.Fatal(err)
		}
		bm, err := BuildBenchmark("browser", broot, benchRuns(t, broot), nil)
		if err != nil {
			t.Fatal(err)
		}
		p, err := WriteBenchmarkFiles(broot, bm)
		if err != nil {
			t.Fatal(err)
		}
		// Two cases, each with throughput, p99 and percentile overlays.
		a := renderCheck(t, bin, p, 6)
		if a["data-page"] != "benchmark" {
			t.Errorf("page attributes %v", a)
		}
	})
	t.Run("index", func(t *testing.T) {
		p, err := WriteIndex(root)
		if err != nil {
			t.Fatal(err)
		}
		dom := chromium(t, bin, "file://"+p, "--dump-dom")
		if a := bodyAttrs(t, dom); a["data-page"] != "index" {
			t.Fatalf("index page attributes %v", a)
		}
		for _, d := range []string{kv, job, big} {
			if !strings.Contains(string(dom), filepath.Base(d)+"/report.html") {
				t.Errorf("index does not link %s", filepath.Base(d))
			}
		}
	})
}
