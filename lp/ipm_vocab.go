package lp

import (
	"fmt"

	"github.com/lamcap/lamcap/model"
)

// ipmSupports says whether the interior-point method can solve the instance. Its
// margin and normal-matrix code lays out one dual per (mu, v) with v in 0..p-1,
// so instances whose competitor slots are not the p associations (the vocabulary
// model: V slots, model.Instance.Slots) go to the simplex or HiGHS instead.
func ipmSupports(in *model.Instance) error {
	if in.Slots() != in.P || in.Src.Model().IsVocabulary() {
		return fmt.Errorf("the interior-point method does not solve the %v model yet (use --solver simplex or highs)", in.Src.Model())
	}
	return nil
}
