package experiment

import (
	"bufio"
	"encoding/json"
	"io"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/lamcap/lamcap/certificate"
	"github.com/lamcap/lamcap/feasibility"
	"github.com/lamcap/lamcap/internal/atomicfile"
	"github.com/lamcap/lamcap/lp"
	"github.com/lamcap/lamcap/model"
)

// TestCheckpointWriteTiming times what a checkpoint of a not-storable verdict
// costs on a decoupled instance at d = LAMCAP_CHECKPOINT_TIMING_D (near the
// prior's p*, a dense lambda of random weights as an interior-point one is:
// the check rejects it, after computing it in full): before, the instance
// was rebuilt and hashed, the certificate made, marshalled with the whole
// file and written; now it is made, checked and streamed. A measurement,
// not a check: skipped unless the variable is set.
func TestCheckpointWriteTiming(t *testing.T) {
	d, _ := strconv.Atoi(os.Getenv("LAMCAP_CHECKPOINT_TIMING_D"))
	if d == 0 {
		t.Skip()
	}
	src := model.Random{D: d, Seed: 1, Kind: model.Decoupled}
	p := int(math.Ceil(feasibility.PriorOf(src).Center))
	since := func(t0 time.Time) float64 { return time.Since(t0).Seconds() }
	t0 := time.Now()
	in, _ := model.NewInstance(src, p)
	tb := since(t0)
	t0 = time.Now()
	h := in.Hash()
	th := since(t0)
	_ = h
	var l []lp.Weighted
	r := rand.New(rand.NewPCG(1, 2))
	for mu := 0; mu < p; mu++ {
		for s := 0; s < in.Slots(); s++ {
			if s != in.Own(mu) {
				l = append(l, lp.Weighted{Row: lp.Row{Mu: mu, V: s}, Weight: r.Float64()})
			}
		}
	}
	v := feasibility.Verdict{Status: feasibility.NotStorable, Certified: true, Lambda: l}
	ci := certInstance(Unit{D: d, Model: model.Decoupled, Seed: 1}, model.Gaussian, nil)
	t0 = time.Now()
	c, _ := certificate.New(ci, in, 1e-6, v)
	tn := since(t0)
	t0 = time.Now()
	_, err := c.Checked(in, 1e-6) // rejected (random lambda), but computed in full
	tc := since(t0)
	t0 = time.Now()
	b, _ := json.Marshal(c)
	tm := since(t0)
	f := checkpointFile{Format: checkpointFormat, Upper: &checkpointEnd{P: p, Certificate: b}}
	dir := t.TempDir()
	t0 = time.Now()
	out, _ := json.Marshal(f)
	atomicfile.Write(filepath.Join(dir, "old.json"), append(out, '\n'))
	tw0 := since(t0)
	out = nil
	t0 = time.Now()
	atomicfile.WriteWith(filepath.Join(dir, "new.json"), func(w io.Writer) error {
		bw := bufio.NewWriterSize(w, 1<<16)
		writeCheckpoint(bw, &f)
		return bw.Flush()
	})
	tw1 := since(t0)
	t.Logf("d=%d decoupled p=%d (%d rows, instance %.0f MB, certificate %.1f MB): rebuild %.2f s, hash %.2f s, New %.2f s, Checked %.2f s (%v), Marshal %.2f s, write marshalled %.2f s, write streamed %.2f s",
		d, p, len(l), float64(p*in.Slots()*d+p*d)*8/1e6, float64(len(b))/1e6, tb, th, tn, tc, err != nil, tm, tw0, tw1)
	t.Logf("before (rebuild+hash+New+Marshal+write marshalled) %.2f s; after (New+Checked+Marshal+write streamed) %.2f s", tb+th+tn+tm+tw0, tn+tc+tm+tw1)
}
