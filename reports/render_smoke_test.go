package reports

import (
	"os"
	"testing"
)

func TestSmokeRealRuns(t *testing.T) {
	dirs := os.Getenv("REPORTS_SMOKE")
	if dirs == "" {
		t.Skip("REPORTS_SMOKE not set")
	}
	for _, d := range []string{"20261123-210926-default", "20261123-210938-append", "20261123-210949-wordcount"} {
		p, err := WriteReport(dirs + "/" + d)
		if err != nil {
			t.Fatal(err)
		}
		t.Log(p)
	}
	if _, err := WriteIndex(dirs); err != nil {
		t.Fatal(err)
	}
}
