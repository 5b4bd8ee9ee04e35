package dmd

import "testing"

// A port of the peer project's pure-Python kernels (cybertronai/
// hinton-problems, v2-bytedmd/bars_cost_comparison.py: one single-sample
// wake-sleep step of 16-8-1 and one CD-1 step of a 16×8 RBM) as they run
// under the reference tracer, read by read. What the tracer sees of
// Python: a tracked value times or plus a plain float reads the tracked
// value only; sum() starts from the integer 0, so its first addition
// reads the first term alone; the peer's sigmoid,
// 1/(1+exp(−max(−50, min(50, x)))), reads x for min's comparison, the
// comparison's result for its truth value, x and the result again for
// max, x for the negation and the negation for exp's float conversion,
// and returns an untracked float: every probability, every sampled state
// (compared with an untracked uniform) and everything computed from them
// alone is free.

type peer struct {
	t         Trace
	tracedSig bool // the sigmoid's result tracked (the variant that hides nothing)
}

// value is a peer variable: a trace value, or an untracked float (v < 0).
type value = Value

const free value = -1

// op is a binary arithmetic operation: it reads its tracked operands.
func (p *peer) op(a, b value) value {
	switch {
	case a == free && b == free:
		return free
	case a == free:
		return p.t.Op(b)
	case b == free:
		return p.t.Op(a)
	}
	return p.t.Op(a, b)
}

// sum is sum(term(k) for k in range(n)), starting from 0: a generator,
// so each term is computed just before it is added.
func (p *peer) sum(n int, term func(k int) value) value {
	s := p.op(free, term(0))
	for k := 1; k < n; k++ {
		s = p.op(s, term(k))
	}
	return s
}

// sigmoid is the peer's _sigmoid.
func (p *peer) sigmoid(x value) value {
	if x == free {
		return free
	}
	p.t.Op(p.t.Op(x)) // min: x < 50, then its truth value
	p.t.Op(p.t.Op(x)) // max: x > −50, then its truth value
	e := p.t.Op(p.t.Op(x))
	if p.tracedSig {
		return e // a tracked σ: what reading it later would cost
	}
	return free // float(−x) for math.exp; the rest is untracked
}

// sample is _sample(probs): each state compares an untracked uniform
// with the probability (reading it, then the comparison's truth value,
// when the probability is tracked) and is an untracked 0.0 or 1.0.
func (p *peer) sample(probs []value) []value {
	out := make([]value, len(probs))
	for k, x := range probs {
		if x != free {
			p.t.Op(p.t.Op(x))
		}
		out[k] = free
	}
	return out
}

func (p *peer) args(n ...int) [][]value {
	out := make([][]value, len(n))
	for i, k := range n {
		out[i] = p.t.Arg(k)
	}
	return out
}

// recognize is _helmholtz_recognize(R_vh, c_h, R_ht, c_top, v).
func (p *peer) recognize(Rvh, ch, Rht, ctop, v []value) (h, t []value) {
	hp := make([]value, 8)
	for j := range 8 {
		hp[j] = p.sigmoid(p.op(p.sum(16, func(i int) value { return p.op(v[i], Rvh[i*8+j]) }), ch[j]))
	}
	h = p.sample(hp)
	tp := p.sigmoid(p.op(p.sum(8, func(j int) value { return p.op(h[j], Rht[j]) }), ctop[0]))
	return h, p.sample([]value{tp})
}

// predict is [_sigmoid(sum(h[j]*W_hv[j][i] for j) + b_v[i]) for i].
func (p *peer) predictV(h, Whv, bv []value) []value {
	out := make([]value, 16)
	for i := range 16 {
		out[i] = p.sigmoid(p.op(p.sum(8, func(j int) value { return p.op(h[j], Whv[j*16+i]) }), bv[i]))
	}
	return out
}

// wakeSleep is helmholtz_wake_sleep_single(W_th, W_hv, b_top, b_h, b_v,
// R_vh, R_ht, c_h, c_top, v_data).
func wakeSleepPeer(traced bool) *Trace {
	p := &peer{tracedSig: traced}
	a := p.args(8, 128, 1, 8, 16, 128, 8, 8, 1, 16)
	Wth, Whv, btop, bh, bv, Rvh, Rht, ch, ctop, v := a[0], a[1], a[2], a[3], a[4], a[5], a[6], a[7], a[8], a[9]
	h, t := p.recognize(Rvh, ch, Rht, ctop, v)
	pv := p.predictV(h, Whv, bv)
	ph := make([]value, 8)
	for j := range 8 {
		ph[j] = p.sigmoid(p.op(p.op(t[0], Wth[j]), bh[j]))
	}
	pt := p.sigmoid(btop[0])
	errV := make([]value, 16)
	for i := range 16 {
		errV[i] = p.op(v[i], pv[i])
	}
	var ret []value
	for j := range 8 { // dW_hv
		for i := range 16 {
			ret = append(ret, p.op(h[j], errV[i]))
		}
	}
	ret = append(ret, errV...) // db_v
	for j := range 8 {         // dW_th, db_h: from h, t and p_h_pred
		e := p.op(h[j], ph[j])
		ret = append(ret, p.op(t[0], e), e)
	}
	ret = append(ret, p.op(t[0], pt)) // db_top
	// Sleep: a fantasy from the generative net, then the recognition
	// net's predictions of it.
	tg := p.sample([]value{p.sigmoid(btop[0])})
	hgp := make([]value, 8)
	for j := range 8 {
		hgp[j] = p.sigmoid(p.op(p.op(tg[0], Wth[j]), bh[j]))
	}
	hg := p.sample(hgp)
	vg := p.sample(p.predictV(hg, Whv, bv))
	prec := make([]value, 8)
	for j := range 8 {
		prec[j] = p.sigmoid(p.op(p.sum(16, func(i int) value { return p.op(vg[i], Rvh[i*8+j]) }), ch[j]))
	}
	ptr := p.sigmoid(p.op(p.sum(8, func(j int) value { return p.op(hg[j], Rht[j]) }), ctop[0]))
	for j := range 8 { // dR_vh, dc_h, dR_ht
		e := p.op(hg[j], prec[j])
		for i := range 16 {
			ret = append(ret, p.op(vg[i], e))
		}
		ret = append(ret, e, p.op(hg[j], p.op(tg[0], ptr)))
	}
	ret = append(ret, p.op(tg[0], ptr))
	for _, x := range ret {
		if x != free {
			p.t.Return(x)
		}
	}
	return &p.t
}

// recognizePeer is _helmholtz_recognize measured alone.
func recognizePeer() *Trace {
	p := &peer{}
	a := p.args(128, 8, 8, 1, 16)
	p.recognize(a[0], a[1], a[2], a[3], a[4])
	return &p.t
}

// hGivenV is _rbm_h_given_v(W, b_h, v) for W[i][j], visible i, hidden j.
func (p *peer) hGivenV(W, bh, v []value) []value {
	out := make([]value, 8)
	for j := range 8 {
		out[j] = p.sigmoid(p.op(p.sum(16, func(i int) value { return p.op(v[i], W[i*8+j]) }), bh[j]))
	}
	return out
}

// cd1Peer is rbm_cd1_single(W, b_v, b_h, v).
func cd1Peer(traced bool) *Trace {
	p := &peer{tracedSig: traced}
	a := p.args(128, 16, 8, 16)
	W, bv, bh, v := a[0], a[1], a[2], a[3]
	hpos := p.hGivenV(W, bh, v)
	hs := p.sample(hpos)
	vrec := make([]value, 16)
	for i := range 16 {
		vrec[i] = p.sigmoid(p.op(p.sum(8, func(j int) value { return p.op(hs[j], W[i*8+j]) }), bv[i]))
	}
	hneg := p.hGivenV(W, bh, vrec)
	var ret []value
	for i := range 16 {
		for j := range 8 {
			ret = append(ret, p.op(p.op(v[i], hpos[j]), p.op(vrec[i], hneg[j])))
		}
	}
	for i := range 16 {
		ret = append(ret, p.op(v[i], vrec[i]))
	}
	for j := range 8 {
		ret = append(ret, p.op(hpos[j], hneg[j]))
	}
	for _, x := range ret {
		if x != free {
			p.t.Return(x)
		}
	}
	return &p.t
}

func positivePeer() *Trace {
	p := &peer{}
	a := p.args(128, 8, 16)
	p.hGivenV(a[0], a[1], a[2])
	return &p.t
}

// TestPeerKernels: the peer's published costs under the reference tracer
// (issue 11): wake-sleep 13,810 with its recognition pass alone 2,236;
// CD-1 6,928 with its positive phase alone 2,177.
func TestPeerKernels(t *testing.T) {
	for _, c := range []struct {
		name string
		tr   *Trace
		want int
	}{
		{"wake-sleep step", wakeSleepPeer(false), 13810},
		{"recognition pass alone", recognizePeer(), 2236},
		{"CD-1 step", cd1Peer(false), 6928},
		{"positive phase alone", positivePeer(), 2177},
	} {
		if got := c.tr.Cost(1); got != c.want {
			t.Errorf("%s: %d, want %d", c.name, got, c.want)
		}
	}
	t.Logf("with the sigmoid's result tracked: wake-sleep %d, CD-1 %d", wakeSleepPeer(true).Cost(1), cd1Peer(true).Cost(1))
}
