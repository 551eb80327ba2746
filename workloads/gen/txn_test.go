package gen

import (
	"testing"

	"faultline/workloads/history"
)

// TestTxnGen: lengths within bounds, values unique per key, keys retired
// after MaxWritesPerKey writes, reads at about ReadFraction, and the same
// seed gives the same transactions.
func TestTxnGen(t *testing.T) {
	for _, exp := range []bool{false, true} {
		cfg := TxnConfig{Write: history.MopAppend, KeyCount: 4, MinTxnLength: 2, MaxTxnLength: 5, MaxWritesPerKey: 8, ReadFraction: 0.25, Exponential: exp}
		g, err := NewTxnGen(cfg, 7)
		if err != nil {
			t.Fatal(err)
		}
		g2, _ := NewTxnGen(cfg, 7)
		seen := map[[2]int64]bool{}
		writes := map[int32]int{}
		reads, total := 0, 0
		for range 5000 {
			mops, again := g.Next(), g2.Next()
			if len(mops) < 2 || len(mops) > 5 || len(again) != len(mops) {
				t.Fatalf("length %d", len(mops))
			}
			for i, m := range mops {
				if again[i].Key != m.Key || again[i].Value != m.Value || again[i].Kind != m.Kind {
					t.Fatal("same seed, different transactions")
				}
				total++
				if m.Kind == history.MopRead {
					reads++
					continue
				}
				kv := [2]int64{int64(m.Key), m.Value}
				if seen[kv] {
					t.Fatalf("value %d written twice to key %d", m.Value, m.Key)
				}
				seen[kv] = true
				if writes[m.Key]++; writes[m.Key] > 8 {
					t.Fatalf("key %d written %d times", m.Key, writes[m.Key])
				}
			}
		}
		if f := float64(reads) / float64(total); f < 0.2 || f > 0.3 {
			t.Errorf("read fraction %.3f, want about 0.25", f)
		}
		if g.Keys() < 100 {
			t.Errorf("only %d keys used: keys do not rotate", g.Keys())
		}
	}
	if _, err := NewTxnGen(TxnConfig{Write: history.MopRead}, 1); err == nil {
		t.Error("a read as the write accepted")
	}
	if _, err := NewTxnGen(TxnConfig{Write: history.MopWrite, MinTxnLength: 3, MaxTxnLength: 2}, 1); err == nil {
		t.Error("min length above max accepted")
	}
}
