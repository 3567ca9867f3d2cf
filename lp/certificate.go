package lp

import (
	"fmt"
	"math"
	"math/big"
	"math/bits"
	"sort"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas64"
	"gonum.org/v1/gonum/mat"

	"github.com/lamcap/lamcap/model"
)

// Rounding constants of the checks. Every bound below follows the standard
// model of floating-point arithmetic with gradual underflow:
// fl(a op b) = (a op b)(1 + delta) + eta' with |delta| <= unitRoundoff and
// |eta'| <= underflowUnit/2 (eta' = 0 for additions and subtractions), whatever
// the order of the sums and whether the BLAS fuses multiply-adds.
const (
	// unitRoundoff is u = 2^-53, the relative rounding error of one float64
	// operation.
	unitRoundoff = 0x1p-53
	// underflowUnit is eta = 2^-1074, the smallest positive (subnormal)
	// float64: the absolute error a product may make when it underflows.
	underflowUnit = 0x1p-1074
)

// MinCertEntry is the smallest nonzero entry a normalised certificate may hold:
// the smallest normal float64. W is normalised to max |W_ij| = 1 and lambda to
// sum 1 before either is checked; an entry below this carries fewer than 53
// significant bits (it is subnormal), and a certificate with one is refused.
// Solvers' certificates are cleaned of such entries (NormaliseW,
// NormaliseLambda) before they are checked, which changes nothing a solver
// meant.
const MinCertEntry = 0x1p-1022

// exactTermBudget bounds the work CheckStorable spends on margins the
// floating-point bound cannot decide: the terms y_i W_ij x_j summed exactly
// (math/big) over all such margins. At d = 16 it is 16384 margins, at d = 128
// 256; past it the check fails (not certified), it never guesses.
const exactTermBudget = 1 << 22

// Scale is the data's largest row norm |a_r|_F = |y_mu - c_(mu,v)|_2 |x_mu|_2
// over the p(p-1) margin rows, a note for people (certificates of storable
// verdicts carry it). The not-storable tolerance is not relative to it but to
// each row's own scale (RowScale, CheckNotStorable): one input much larger
// than the others would make a tolerance relative to the largest row loose
// for all the others. It is +Inf when the norms overflow and 0 when every row
// is zero.
func Scale(in *model.Instance) float64 {
	var best float64
	diff := make([]float64, in.D)
	for mu := 0; mu < in.P; mu++ {
		nx := norm2(in.X.RawRowView(mu))
		own := in.Own(mu)
		y := in.Competitor(mu, own) // the own slot holds y_mu
		for v := 0; v < in.Slots(); v++ {
			if v == own {
				continue
			}
			c := in.Competitor(mu, v)
			for i := range diff {
				diff[i] = y[i] - c[i]
			}
			if s := norm2(diff) * nx; s > best || math.IsNaN(s) {
				best = s
			}
		}
	}
	return best
}

// RowScale is |a_r|_1 = |y_mu - c_(mu,v)|_1 |x_mu|_1, the largest value the
// margin of row r takes with W in the box |W_ij| <= 1 (rounded, for people;
// CheckNotStorable bounds its own).
func RowScale(in *model.Instance, r Row) float64 {
	y, c := in.Competitor(r.Mu, in.Own(r.Mu)), in.Competitor(r.Mu, r.V)
	var dy, nx float64
	for i := range y {
		dy += math.Abs(y[i] - c[i])
	}
	for _, x := range in.X.RawRowView(r.Mu) {
		nx += math.Abs(x)
	}
	return dy * nx
}

// norm2 is the Euclidean norm, scaled so that it neither overflows nor
// underflows for finite input.
func norm2(x []float64) float64 {
	var m float64
	for _, v := range x {
		m = math.Max(m, math.Abs(v))
	}
	if m == 0 || math.IsInf(m, 0) || math.IsNaN(m) {
		return m
	}
	var s float64
	for _, v := range x {
		s += (v / m) * (v / m)
	}
	return m * math.Sqrt(s)
}

// NormaliseW returns W / max|W_ij| with entries below MinCertEntry (in
// magnitude) set to zero: the form in which a solver's W is checked and saved.
// It returns nil if W has no nonzero entry or a non-finite one.
func NormaliseW(w *mat.Dense) *mat.Dense {
	n, _, reason := normaliseW(w)
	if reason != "" {
		return nil
	}
	r, c := n.Dims()
	for i := 0; i < r; i++ {
		row := n.RawRowView(i)
		for j := 0; j < c; j++ {
			if math.Abs(row[j]) < MinCertEntry {
				row[j] = 0
			}
		}
	}
	return n
}

// normaliseW divides W by its largest magnitude m; the reason is empty unless
// W is zero or holds a non-finite entry.
func normaliseW(w *mat.Dense) (*mat.Dense, float64, string) {
	var m float64
	r, c := w.Dims()
	for i := 0; i < r; i++ {
		for j := 0; j < c; j++ {
			x := w.At(i, j)
			if math.IsNaN(x) || math.IsInf(x, 0) {
				return nil, 0, fmt.Sprintf("W(%d,%d) = %v is not finite", i, j, x)
			}
			m = math.Max(m, math.Abs(x))
		}
	}
	if m == 0 {
		return nil, 0, "W is zero"
	}
	n := mat.NewDense(r, c, nil)
	for i := 0; i < r; i++ {
		row := n.RawRowView(i)
		for j := range row {
			x := w.At(i, j)
			row[j] = x / m
			if math.Abs(x) == m {
				row[j] = math.Copysign(1, x) // exactly, whatever the division rounds
			}
		}
	}
	return n, m, ""
}

// NormaliseLambda returns the weights divided by their sum, with rows whose
// normalised weight falls below MinCertEntry left out: the form in which a
// solver's lambda is checked and saved. Invalid weights are kept as they are,
// for CheckNotStorable to refuse with a reason.
func NormaliseLambda(l []Weighted) []Weighted {
	n, reason := normaliseLambda(l)
	if reason != "" {
		return l
	}
	out := n[:0]
	for _, x := range n {
		if x.Weight >= MinCertEntry {
			out = append(out, x)
		}
	}
	return out
}

// normaliseLambda divides the weights by their sum (by their largest first, so
// that the sum cannot overflow); zero weights are left out.
func normaliseLambda(l []Weighted) ([]Weighted, string) {
	var m float64
	for _, x := range l {
		if !(x.Weight >= 0) || math.IsInf(x.Weight, 0) {
			return nil, fmt.Sprintf("weight of row (%d,%d) is %v, not a finite nonnegative number", x.Mu, x.V, x.Weight)
		}
		m = math.Max(m, x.Weight)
	}
	if m == 0 {
		return nil, "the weights sum to zero"
	}
	var s float64
	out := make([]Weighted, 0, len(l))
	for _, x := range l {
		if x.Weight > 0 {
			x.Weight /= m
			s += x.Weight
			out = append(out, x)
		}
	}
	for i := range out {
		out[i].Weight /= s
	}
	return out, ""
}

// StorableCheck is the outcome of checking a storable certificate: a memory W
// whose p(p-1) exact margins on the instance's float64 data are all positive.
type StorableCheck struct {
	OK bool
	// W is the memory checked: the certificate's W divided by its largest
	// magnitude Norm (max |W_ij| = 1).
	W    *mat.Dense
	Norm float64
	// MinMargin is the smallest computed margin of the W given (the
	// normalised W's times Norm), for people.
	MinMargin float64
	// MinSlack is a proven lower bound on the smallest exact margin of the
	// normalised W: the computed margin minus its rounding bound, or the exact
	// margin (rounded down) where the bound could not decide; OK iff > 0.
	MinSlack float64
	// Worst is the row attaining MinSlack.
	Worst Row
	// Exact is the number of margins recomputed exactly (math/big).
	Exact int
	// Kappa is the margin in unit-variance normalisation: MinMargin * d / |W|_F;
	// KappaLower = MinSlack * d / |W|_F, rounded down, a proven lower bound on
	// the margin of W (and on kappa* when OK).
	Kappa, KappaLower float64
	Reason            string // why the check failed
}

// CheckStorable checks a storable certificate outside any solver: W is
// normalised to max |W_ij| = 1 (entries below MinCertEntry after that are
// refused), every margin is computed in floating point with a bound on its
// rounding error that includes underflow, and each margin the bound cannot
// decide is recomputed exactly in rational arithmetic (math/big). OK means every
// exact margin of the float64 data is positive: the instance is storable.
func CheckStorable(in *model.Instance, w *mat.Dense) StorableCheck {
	out := StorableCheck{MinMargin: math.Inf(1), MinSlack: math.Inf(-1)}
	if w == nil {
		out.Reason = "there is no W"
		return out
	}
	if r, c := w.Dims(); r != in.D || c != in.D {
		out.Reason = fmt.Sprintf("W is %dx%d, want %dx%d", r, c, in.D, in.D)
		return out
	}
	wn, norm, reason := normaliseW(w)
	if reason != "" {
		out.Reason = reason
		return out
	}
	out.Norm = norm
	d := in.D
	for i := 0; i < d; i++ {
		for j, x := range wn.RawRowView(i) {
			if x != 0 && math.Abs(x) < MinCertEntry {
				out.Reason = fmt.Sprintf("W(%d,%d) is %.3g of the largest entry, below what double precision carries (%.3g)", i, j, x, MinCertEntry)
				return out
			}
		}
	}
	out.W = wn
	m := in.Margins(wn)
	b := storableBounds(in, wn, m)
	out.MinSlack = math.Inf(1)
	type open struct {
		r    Row
		m, b float64
	}
	var undecided []open
	negative := false
	for mu := 0; mu < in.P; mu++ {
		mr, br := m.RawRowView(mu), b.RawRowView(mu)
		for v := range mr {
			if v == in.Own(mu) {
				continue
			}
			out.MinMargin = math.Min(out.MinMargin, mr[v])
			slack := mr[v] - br[v]
			switch {
			case math.IsNaN(slack) || math.IsNaN(mr[v]):
				out.MinSlack, out.Worst, out.Reason = math.Inf(-1), Row{mu, v}, fmt.Sprintf("margin of row (%d,%d) is not a number", mu, v)
				return out
			case slack > 0:
				if slack < out.MinSlack {
					out.MinSlack, out.Worst = slack, Row{mu, v}
				}
			case mr[v]+br[v] < 0:
				// Certainly negative: no exact arithmetic needed.
				if slack < out.MinSlack {
					out.MinSlack, out.Worst = slack, Row{mu, v}
				}
				negative = true
			default:
				undecided = append(undecided, open{Row{mu, v}, mr[v], br[v]})
			}
		}
	}
	if negative {
		r := out.Worst
		out.MinMargin *= out.Norm
		out.Reason = fmt.Sprintf("margin of row (%d,%d) is negative (%.3g, rounding bound %.3g)", r.Mu, r.V, m.At(r.Mu, r.V), b.At(r.Mu, r.V))
		return out
	}
	// The margins the bound cannot decide, smallest first: the first whose
	// exact value is not positive ends the check.
	sort.Slice(undecided, func(i, j int) bool { return undecided[i].m < undecided[j].m })
	per := 2 * d * (d + 1)
	for _, u := range undecided {
		if (out.Exact+1)*per > exactTermBudget {
			out.MinSlack, out.Worst = u.m-u.b, u.r
			out.Reason = fmt.Sprintf("%d margins are within their rounding bounds, more than exact arithmetic may check (%d)", len(undecided), exactTermBudget/per)
			out.MinMargin *= out.Norm
			return out
		}
		out.Exact++
		lo := exactMarginLower(in, wn, u.r)
		if lo < out.MinSlack {
			out.MinSlack, out.Worst = lo, u.r
		}
		if !(lo > 0) {
			out.Reason = fmt.Sprintf("the exact margin of row (%d,%d) is not positive (computed %.3g, exactly %.3g)", u.r.Mu, u.r.V, u.m, lo)
			out.MinMargin *= out.Norm
			return out
		}
	}
	out.OK = out.MinSlack > 0
	f := mat.Norm(wn, 2)
	out.Kappa = out.MinMargin * float64(d) / f
	// The Frobenius norm is computed to within (d^2+2) u relative; round it up
	// and the quotient down.
	fUp := f * (1 + 4*float64(d*d+2)*unitRoundoff)
	out.KappaLower = out.MinSlack * float64(d) / fUp * (1 - 4*unitRoundoff)
	// The computed smallest margin may sit below an exactly computed one.
	out.Kappa = math.Max(out.Kappa, out.KappaLower)
	out.MinMargin *= out.Norm
	return out
}

// storableBounds returns the p x p matrix B with |computed - exact| <= B for
// every margin Margins(w) computed, underflow included:
//
//	B = 2 (gamma_(2d+3) (|y|^T |W| |x| + |c|^T |W| |x|) + u |m|)
//	    + eta (8d + 16) (1 + |y|_1 + |c|_1)
//
// The first term is the classical bound for two dot products of length d and
// a subtraction, doubled to cover the rounding of the bound's own computation;
// the second bounds the underflow of every product (eta/2 each, propagated
// through the second product), generously.
func storableBounds(in *model.Instance, w *mat.Dense, m *mat.Dense) *mat.Dense {
	d := in.D
	var absW, absX mat.Dense
	absW.Apply(func(_, _ int, v float64) float64 { return math.Abs(v) }, w)
	absX.Apply(func(_, _ int, v float64) float64 { return math.Abs(v) }, in.X)
	var z mat.Dense // p x d, row mu = (|W| |x_mu|)^T
	z.Mul(&absX, absW.T())
	n := float64(2*d + 3)
	gamma := n * unitRoundoff / (1 - n*unitRoundoff)
	under := float64(8*d+16) * underflowUnit
	slots := in.Slots()
	b := mat.NewDense(in.P, slots, nil)
	cz := make([]float64, slots)
	c1 := make([]float64, slots)
	var absC mat.Dense
	var shared *mat.Dense // competitors shared by consecutive mu (coupled: Y; vocabulary: the words)
	for mu := 0; mu < in.P; mu++ {
		row := b.RawRowView(mu)
		zmu := z.RawRowView(mu)
		if comp := in.Competitors(mu); comp != shared {
			absC.Reset()
			absC.Apply(func(_, _ int, v float64) float64 { return math.Abs(v) }, comp)
			for v := range c1 {
				c1[v] = 0
				for _, x := range absC.RawRowView(v) {
					c1[v] += x
				}
			}
			shared = comp
		}
		mat.NewVecDense(slots, cz).MulVec(&absC, mat.NewVecDense(d, zmu))
		o := in.Own(mu)
		own, own1 := cz[o], c1[o] // the own slot of the competitors is y_mu
		for v := range row {
			if v == o {
				continue
			}
			row[v] = 2*(gamma*(own+cz[v])+unitRoundoff*math.Abs(m.At(mu, v))) + under*(1+own1+c1[v])*2
		}
	}
	return b
}

// exactMarginLower is a lower bound on the exact margin of row r under w, the
// exact value rounded down to a float64: sum_i (y_i - c_i) sum_j W_ij x_j in
// binary arithmetic wide enough to be exact. Every float64 is a multiple of
// 2^-1074 below 2^1024, so each term is a multiple of 2^-3222 below 2^3073 and
// the sum of 2d^2 of them needs fewer than 6300 + 2 log2(d) + 2 bits. Should an
// operation ever round, the result is -Inf (not certified), never a guess.
func exactMarginLower(in *model.Instance, w *mat.Dense, r Row) float64 {
	prec := uint(6400 + 2*bits.Len(uint(in.D)))
	y := in.Y.RawRowView(r.Mu)
	c := in.Competitor(r.Mu, r.V)
	x := in.X.RawRowView(r.Mu)
	exact := true
	check := func(f *big.Float) {
		if f.Acc() != big.Exact {
			exact = false
		}
	}
	sum := new(big.Float).SetPrec(prec)
	inner := new(big.Float).SetPrec(prec)
	term := new(big.Float).SetPrec(prec)
	a := new(big.Float).SetPrec(prec)
	fy, fc := new(big.Float), new(big.Float)
	for i := 0; i < in.D; i++ {
		if y[i] == c[i] {
			continue
		}
		inner.SetFloat64(0)
		wr := w.RawRowView(i)
		for j, xj := range x {
			if wr[j] == 0 || xj == 0 {
				continue
			}
			fy.SetFloat64(wr[j])
			fc.SetFloat64(xj)
			term.Mul(fy, fc)
			check(term)
			inner.Add(inner, term)
			check(inner)
		}
		a.Sub(fy.SetFloat64(y[i]), fc.SetFloat64(c[i]))
		check(a)
		term.Mul(a, inner)
		check(term)
		sum.Add(sum, term)
		check(sum)
	}
	if !exact {
		return math.Inf(-1)
	}
	f, acc := sum.Float64()
	if acc == big.Above {
		f = math.Nextafter(f, math.Inf(-1))
	}
	return f
}

// NotStorableCheck is the outcome of checking a not-storable certificate:
// weights lambda >= 0 on margin rows r, a_r.W the margin of row r, with
// |A^T lambda|_1 <= eps sum_r lambda_r |a_r|_1, where |a_r|_1 (RowScale) is
// the largest value margin r takes with W in the box |W_ij| <= 1. Since
// sum_r lambda_r a_r.W = (A^T lambda).W <= |A^T lambda|_1 max|W_ij|, no W in
// the box has every margin above eps times that margin's own largest value:
// a_r.W > eps |a_r|_1 for all r would give sum_r lambda_r a_r.W >
// eps sum_r lambda_r |a_r|_1 >= |A^T lambda|_1. The statement is the same
// when an input x_mu is multiplied by any positive number (its rows' margins
// and largest values alike), or the whole data; storability is too. In
// unit-variance normalisation (|W|_F = d) no W has all margins above
// KappaBound.
type NotStorableCheck struct {
	OK bool
	// Lambda is the certificate checked: the weights divided by their sum.
	Lambda []Weighted
	// Residual bounds |A^T lambda|_1 / sum(lambda) from above, rounding and
	// underflow included, in the units of the margins.
	Residual float64
	// KappaBound bounds d |A^T lambda|_F / sum(lambda), rounding included.
	KappaBound float64
	// Eps is the relative tolerance; Scale bounds the rows' scale
	// sum_r lambda_r |a_r|_1 / sum(lambda) from below, rounding and underflow
	// included (the mean of the largest values of the margins lambda weighs),
	// and Tolerance = Eps * Scale (rounded down) is the bound Residual was held
	// to.
	Eps, Scale, Tolerance float64
	Reason                string
}

// CheckNotStorable verifies lambda against the instance outside any solver: all
// weights nonnegative and finite, rows valid, normalised to sum 1 with no
// nonzero weight below MinCertEntry after that, and
// |A^T lambda|_1 <= eps sum_r lambda_r |a_r|_1 with the rounding and underflow
// error of the check itself added to the left side and taken off the right.
// eps is relative to the scale of each row lambda weighs, so the verdict
// depends neither on the units of the data nor on the scale of any one input
// against the others (NotStorableCheck says what it proves).
// Its sums are pairwise (certSumBlock, certGemmBlock), so that this bound
// grows with log p, not p: about 2e-12 at d = 128, p = 1857.
func CheckNotStorable(in *model.Instance, lambda []Weighted, eps float64) NotStorableCheck {
	out := NotStorableCheck{Eps: eps, Residual: math.Inf(1), KappaBound: math.Inf(1)}
	d, p := in.D, in.P
	for _, l := range lambda {
		if l.Mu < 0 || l.Mu >= p || l.V < 0 || l.V >= in.Slots() || l.V == in.Own(l.Mu) {
			out.Reason = fmt.Sprintf("row (%d,%d) is not a margin row of a p=%d instance with %d slots", l.Mu, l.V, p, in.Slots())
			return out
		}
	}
	norm, reason := normaliseLambda(lambda)
	if reason != "" {
		out.Reason = reason
		return out
	}
	for _, l := range norm {
		if l.Weight < MinCertEntry {
			out.Reason = fmt.Sprintf("weight of row (%d,%d) is %.3g of the sum, below what double precision carries (%.3g)", l.Mu, l.V, l.Weight, MinCertEntry)
			return out
		}
	}
	out.Lambda = norm
	if r, ok := zeroRow(in, norm); ok {
		// Row r's margin is exactly 0 for every W: no W has all margins
		// positive, whatever eps.
		out.OK, out.Residual, out.KappaBound, out.Scale, out.Tolerance = true, 0, 0, 0, 0
		out.Reason = ""
		out.Lambda = []Weighted{{Row: r, Weight: 1}}
		return out
	}
	rs := rowScaleSum(in, norm)
	if math.IsInf(rs, 0) || math.IsNaN(rs) {
		out.Reason = "the scale of the rows lambda weighs overflows double precision"
		return out
	}
	// The rows of each association together, for the pairwise sums below.
	start := make([]int, p+1)
	for _, l := range norm {
		start[l.Mu+1]++
	}
	maxPer, depthG := 0, 0 // the most rows of an association, the deepest of their pairwise sums
	for mu := 0; mu < p; mu++ {
		maxPer = max(maxPer, start[mu+1])
		depthG = max(depthG, pairwiseDepth(start[mu+1], certSumBlock))
		start[mu+1] += start[mu]
	}
	byMu := make([]Weighted, len(norm))
	next := append([]int(nil), start[:p]...)
	for _, l := range norm {
		byMu[next[l.Mu]] = l
		next[l.Mu]++
	}
	g := mat.NewDense(p, d, nil) // row mu: sum_v lambda_(mu,v) (y_mu - c_(mu,v))
	// The same with absolute values, for the error bound. Each term's
	// roundings are relative to the exact lambda |y - c| |x| (the standard
	// model: fl(y - c) = (y - c)(1 + delta), whatever the sizes of y and c),
	// so near-duplicate targets get a bound at the scale of their small
	// difference; |y - c| <= |fl(y - c)| / (1 - u) is covered by the doubling
	// of errBound below.
	ga := mat.NewDense(p, d, nil)
	sums := make([]float64, p) // row mu: sum_v lambda_(mu,v)
	scratch := make([][]float64, bits.Len(uint(max(len(norm), p)))+1)
	for k := range scratch {
		scratch[k] = make([]float64, d)
	}
	one := make([][]float64, len(scratch))
	for k := range one {
		one[k] = make([]float64, 1)
	}
	for mu := 0; mu < p; mu++ {
		rows := byMu[start[mu]:start[mu+1]]
		if len(rows) == 0 {
			continue
		}
		y := in.Competitor(mu, in.Own(mu)) // y_mu
		gar := ga.RawRowView(mu)
		pairwiseSum(g.RawRowView(mu), len(rows), certSumBlock, func(k int, dst []float64) {
			c := in.Competitor(mu, rows[k].V)
			for i := range dst {
				dst[i] += rows[k].Weight * (y[i] - c[i])
			}
		}, scratch)
		for _, l := range rows {
			c := in.Competitor(mu, l.V)
			for i := range gar {
				gar[i] += l.Weight * math.Abs(y[i]-c[i])
			}
		}
		var s [1]float64
		pairwiseSum(s[:], len(rows), certSumBlock, func(k int, dst []float64) { dst[0] += rows[k].Weight }, one)
		sums[mu] = s[0]
	}
	var total [1]float64
	pairwiseSum(total[:], p, certSumBlock, func(mu int, dst []float64) { dst[0] += sums[mu] }, one)
	sum := total[0]
	// G^T X: each block of certGemmBlock associations one product (the BLAS
	// sums its terms in an order of its own), the blocks' products added
	// pairwise.
	v := mat.NewDense(d, d, nil) // G^T X
	blocks := (p + certGemmBlock - 1) / certGemmBlock
	sq := make([][]float64, bits.Len(uint(blocks))+1)
	for k := range sq {
		sq[k] = make([]float64, d*d)
	}
	pairwiseSum(v.RawMatrix().Data, blocks, 1, func(b int, dst []float64) {
		lo, hi := b*certGemmBlock, min((b+1)*certGemmBlock, p)
		gb := g.Slice(lo, hi, 0, d).(*mat.Dense).RawMatrix()
		xb := in.X.Slice(lo, hi, 0, d).(*mat.Dense).RawMatrix()
		blas64.Gemm(blas.Trans, blas.NoTrans, 1, gb, xb, 1, blas64.General{Rows: d, Cols: d, Stride: d, Data: dst})
	}, sq)
	var va mat.Dense // d x d: |G|^T |X|, for the error bound
	var absX mat.Dense
	absX.Apply(func(_, _ int, x float64) float64 { return math.Abs(x) }, in.X)
	va.Mul(ga.T(), &absX)
	var colX float64 // sum of |X|, for the underflow term
	for mu := 0; mu < p; mu++ {
		for _, x := range absX.RawRowView(mu) {
			colX += x
		}
	}
	// The roundings any term of an entry of G^T X goes through: y - c and its
	// product with the weight, the pairwise sum of an association's rows, one
	// product with x and the sum within a block (any order: at most
	// certGemmBlock roundings, with the block's addition to its zero start),
	// and the pairwise sum of the blocks. The classical bound gamma_n
	// (Higham, Accuracy and Stability of Numerical Algorithms, 2nd ed.,
	// sec. 3.1 and 4.2) then holds for n = that count, plus 2 for safety;
	// summing every term in one sequence would take n = maxPer + p, at
	// d = 128 (p = 1857, every row weighted) 3700 and a bound of 1.3e-10.
	n := float64(2 + depthG + certGemmBlock + 1 + pairwiseDepth(blocks, 1) + 2)
	gamma := n * unitRoundoff / (1 - n*unitRoundoff)
	// The sum of the weights: each through the pairwise sums of its
	// association and of the associations.
	ns := float64(depthG + pairwiseDepth(p, certSumBlock) + 1)
	// Underflow: up to maxPer products of a weight with a difference per
	// entry of G, p products per entry of G^T X.
	nu := float64(maxPer + p + 4)
	var l1, f2, errSum float64
	for i := 0; i < d; i++ {
		for j := 0; j < d; j++ {
			a := math.Abs(v.At(i, j))
			l1 += a
			f2 += a * a
			errSum += va.At(i, j)
		}
	}
	dd := float64(d*d + 2)
	// Rounding: each entry of G^T X is off by at most gamma |G|^T |X| (doubled
	// for the rounding of that bound); underflow: each product of a weight
	// with a difference loses at most eta/2, carried through |X| (at most
	// maxPer of them per entry of G), and each product in G^T X eta/2 more.
	errBound := 2 * gamma * errSum * (1 + 4*unitRoundoff*dd)
	under := 4 * nu * underflowUnit * (dd + float64(d)*colX)
	l1 *= 1 + 2*dd*unitRoundoff
	sumLow := sum * (1 - 2*ns*unitRoundoff) // a lower bound on the exact sum of the weights
	out.Residual = (l1 + errBound + under) / sumLow * (1 + 4*unitRoundoff)
	// The rows' scale, rounded down: each term |y - c|_1 |x|_1 lambda_r goes
	// through 3d + 2 roundings (2d for |y - c|_1, d for |x|_1, two
	// products), the sum of len(norm) terms through len(norm) more, and each
	// of the two products may underflow by eta/2; the exact sum of the
	// weights is at most sum (1 + 2 ns u).
	k := float64(3*d + 2 + len(norm) + 4)
	sumHigh := sum * (1 + 2*ns*unitRoundoff)
	out.Scale = math.Max(0, rs*(1-2*k*unitRoundoff)-2*float64(len(norm))*underflowUnit) / sumHigh * (1 - 4*unitRoundoff)
	out.Tolerance = eps * out.Scale * (1 - 4*unitRoundoff)
	out.KappaBound = float64(d) * (math.Sqrt(f2)*(1+2*dd*unitRoundoff) + errBound + under) / sumLow * (1 + 4*unitRoundoff)
	if math.IsNaN(out.Residual) {
		out.Residual = math.Inf(1)
	}
	out.OK = out.Residual <= out.Tolerance
	if !out.OK {
		out.Reason = fmt.Sprintf("|A^T lambda|_1 / sum(lambda) = %.3g, %.3g of the scale %.3g of the rows it weighs (sum lambda_r |a_r|_1 / sum lambda), exceeds eps = %.3g", out.Residual, out.Residual/out.Scale, out.Scale, eps)
	}
	return out
}

// ZeroMarginRow returns a margin row of in whose a_r is exactly zero (a target
// equal to one of its competitors entry by entry, or an input that is zero),
// if there is one: its margin is 0 for every W, so in is not storable, and
// lambda = {r: 1} certifies it (CheckNotStorable). Float32 data make such rows
// from targets that differ in the float64 digits only.
func ZeroMarginRow(in *model.Instance) (Row, bool) {
	for mu := 0; mu < in.P; mu++ {
		own := in.Own(mu)
		for v := 0; v < in.Slots(); v++ {
			if v == own {
				continue
			}
			if r, ok := zeroRow(in, []Weighted{{Row: Row{mu, v}}}); ok {
				return r, true
			}
		}
	}
	return Row{}, false
}

// zeroRow returns a row of l whose a_r is exactly zero (y_mu = c_(mu,v)
// entry by entry, or x_mu = 0): its margin is 0 for every W.
func zeroRow(in *model.Instance, l []Weighted) (Row, bool) {
	for _, w := range l {
		y, c := in.Competitor(w.Mu, in.Own(w.Mu)), in.Competitor(w.Mu, w.V)
		same, zero := true, true
		for i := range y {
			same = same && y[i] == c[i]
		}
		for _, x := range in.X.RawRowView(w.Mu) {
			zero = zero && x == 0
		}
		if same || zero {
			return w.Row, true
		}
	}
	return Row{}, false
}

// rowScaleSum is sum_r lambda_r |y_mu - c_(mu,v)|_1 |x_mu|_1 over the rows of
// l, in floating point, summed in sequence (CheckNotStorable bounds its
// rounding).
func rowScaleSum(in *model.Instance, l []Weighted) float64 {
	nx := make([]float64, in.P)
	for mu := range nx {
		for _, x := range in.X.RawRowView(mu) {
			nx[mu] += math.Abs(x)
		}
	}
	var s float64
	for _, w := range l {
		y, c := in.Competitor(w.Mu, in.Own(w.Mu)), in.Competitor(w.Mu, w.V)
		var dy float64
		for i := range y {
			dy += math.Abs(y[i] - c[i])
		}
		s += w.Weight * (dy * nx[w.Mu])
	}
	return s
}

// The summation orders of CheckNotStorable, which its rounding bound counts
// on: a sum in one sequence of n terms carries a bound proportional to n, a
// pairwise one to log2 n.
const (
	certSumBlock  = 8  // terms added in sequence before partial sums are added pairwise
	certGemmBlock = 32 // associations per block of G^T X, one BLAS product each
)

// pairwiseSum writes into dst the sum of n terms, term k added into a vector
// by add(k, v) (v += term k): blocks of up to b consecutive terms each added
// in sequence from zero, and the blocks' sums pairwise (halving). scratch
// holds one vector of dst's length per level below the top, at least
// bits.Len(n) of them. Every term goes through at most pairwiseDepth(n, b)
// additions.
func pairwiseSum(dst []float64, n, b int, add func(k int, v []float64), scratch [][]float64) {
	var rec func(dst []float64, lo, hi int, scratch [][]float64)
	rec = func(dst []float64, lo, hi int, scratch [][]float64) {
		clear(dst)
		if hi-lo <= b {
			for k := lo; k < hi; k++ {
				add(k, dst)
			}
			return
		}
		mid := lo + (hi-lo)/2
		rec(dst, lo, mid, scratch)
		rec(scratch[0], mid, hi, scratch[1:])
		for i, x := range scratch[0] {
			dst[i] += x
		}
	}
	rec(dst, 0, n, scratch)
}

// pairwiseDepth is the largest number of roundings of an addition that a term
// of pairwiseSum(n, b) goes through: b - 1 within a full block (the first
// term is added to zero, exactly), one per level of halving above it.
func pairwiseDepth(n, b int) int {
	if n <= b {
		return max(n-1, 0)
	}
	h := n / 2
	return 1 + max(pairwiseDepth(h, b), pairwiseDepth(n-h, b))
}
