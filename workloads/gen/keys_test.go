package gen

import (
	"math"
	"math/rand/v2"
	"testing"
)

// chiSquare returns the statistic and degrees of freedom of observed counts
// against expected probabilities, pooling cells whose expected count is
// below 5 (the usual validity rule).
func chiSquare(obs []int, prob []float64, n int) (stat float64, df int) {
	var po, pe float64
	cells := 0
	for i := range obs {
		e := prob[i] * float64(n)
		if e < 5 {
			po += float64(obs[i])
			pe += e
			continue
		}
		d := float64(obs[i]) - e
		stat += d * d / e
		cells++
	}
	if pe > 0 {
		d := po - pe
		stat += d * d / pe
		cells++
	}
	return stat, cells - 1
}

// critical approximates the chi-square quantile at p = 0.999 by the
// Wilson-Hilferty transformation (z = 3.09).
func critical(df int) float64 {
	k := float64(df)
	a := 2 / (9 * k)
	return k * math.Pow(1-a+3.09*math.Sqrt(a), 3)
}

func draws(t *testing.T, seed uint64, n, keys int, c KeyChooser) []int {
	t.Helper()
	r := rand.New(rand.NewPCG(seed, 7))
	obs := make([]int, keys)
	for i := 0; i < n; i++ {
		k := c.Next(r, keys)
		if k < 0 || k >= keys {
			t.Fatalf("seed %d: key %d out of [0, %d)", seed, k, keys)
		}
		obs[k]++
	}
	return obs
}

func TestDistributionsMatchTheory(t *testing.T) {
	const keys, n = 200, 200_000
	zipf := NewZipfian(keys, ZipfConstant)
	uniformP := make([]float64, keys)
	zipfP := make([]float64, keys)
	latestP := make([]float64, keys)
	hotP := make([]float64, keys)
	hs := Hotspot{HotKeys: 0.1, HotOps: 0.9}
	for i := range keys {
		uniformP[i] = 1.0 / keys
		zipfP[i] = zipf.Prob(i)
		latestP[keys-1-i] = zipf.Prob(i)
		if i < 20 {
			hotP[i] = 0.9 / 20
		} else {
			hotP[i] = 0.1 / 180
		}
	}
	sz := NewScrambledZipfian(keys)
	scrP := make([]float64, keys)
	for i := 0; i < sz.z.Items(); i++ {
		scrP[fnv64(uint64(i))%keys] += sz.z.Prob(i)
	}
	cases := []struct {
		name string
		c    KeyChooser
		p    []float64
	}{
		{"uniform", Uniform{}, uniformP},
		{"zipfian", plainZipf{zipf}, zipfP},
		{"scrambled-zipfian", sz, scrP},
		{"latest", NewLatest(keys), latestP},
		{"hotspot", hs, hotP},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			for _, seed := range []uint64{1, 2, 3} {
				obs := draws(t, seed, n, keys, tc.c)
				stat, df := chiSquare(obs, tc.p, n)
				if crit := critical(df); stat > crit {
					t.Errorf("seed %d: chi-square %.1f > %.1f (df %d): draws do not match the distribution", seed, stat, crit, df)
				}
			}
		})
	}
}

// TestChiSquareRejectsWrongDistribution shows the test above can fail:
// uniform draws are not zipfian.
func TestChiSquareRejectsWrongDistribution(t *testing.T) {
	const keys, n = 200, 200_000
	zipf := NewZipfian(keys, ZipfConstant)
	p := make([]float64, keys)
	for i := range p {
		p[i] = zipf.Prob(i)
	}
	obs := draws(t, 1, n, keys, Uniform{})
	if stat, df := chiSquare(obs, p, n); stat <= critical(df) {
		t.Fatalf("uniform draws passed as zipfian: chi-square %.1f <= %.1f", stat, critical(df))
	}
}

func TestZipfianHead(t *testing.T) {
	// Item 0's probability for 1000 items at theta 0.99 is 1/zeta(1000).
	z := NewZipfian(1000, ZipfConstant)
	r := rand.New(rand.NewPCG(42, 42))
	const n = 100_000
	hits := 0
	for range n {
		if z.Draw(r) == 0 {
			hits++
		}
	}
	want := z.Prob(0)
	if got := float64(hits) / n; math.Abs(got-want) > 0.01 {
		t.Fatalf("P(item 0) = %.4f, want %.4f", got, want)
	}
}
