package storage_test

import (
	"fmt"
	"log"
	"os"

	"faultline/system/storage"
)

func Example() {
	dir, err := os.MkdirTemp("", "storage-example")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)

	p, err := storage.Open(dir, storage.Options{})
	if err != nil {
		log.Fatal(err)
	}
	// Buffered writes, then one Sync makes them all durable.
	if err := p.SetHardState(1, 0); err != nil {
		log.Fatal(err)
	}
	if err := p.AppendLog(1, [][]byte{[]byte("x=1"), []byte("y=2"), []byte("x=3")}); err != nil {
		log.Fatal(err)
	}
	if err := p.Sync(); err != nil {
		log.Fatal(err)
	}
	// Compact: entries up to 2 live in the snapshot now.
	if err := p.SaveSnapshot(2, 1, []byte(`{"x":1,"y":2}`)); err != nil {
		log.Fatal(err)
	}
	if err := p.Close(); err != nil {
		log.Fatal(err)
	}

	p, err = storage.Open(dir, storage.Options{})
	if err != nil {
		log.Fatal(err)
	}
	defer p.Close()
	term, vote, snapIndex, snapTerm, entries, err := p.LoadState()
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("term %d vote %d snapshot %d/%d %s\n", term, vote, snapIndex, snapTerm, p.ReadSnapshot())
	for i, e := range entries {
		fmt.Printf("%d: %s\n", snapIndex+1+i, e)
	}
	// Output:
	// term 1 vote 0 snapshot 2/1 {"x":1,"y":2}
	// 3: x=3
}
