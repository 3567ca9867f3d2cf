package model_test

import (
	"fmt"

	"github.com/lamcap/lamcap/model"
)

// A vocabulary instance: 12 inputs in dimension 6 share V = 4 answers drawn
// with Zipf frequencies; each input has the 3 other words as competitors, so
// the LP has p(V-1) rows, and the margins are p x V with a zero in the slot of
// the input's own answer.
func ExampleVocabulary() {
	ans, err := model.ParseAnswers("zipf:1")
	if err != nil {
		fmt.Println(err)
		return
	}
	m, err := model.Vocabulary(4, ans)
	if err != nil {
		fmt.Println(err)
		return
	}
	in, err := model.NewInstance(model.Random{D: 6, Seed: 7, Kind: m}, 12)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("%s: d=%d p=%d V=%d, %d margin rows\n", m, in.D, in.P, in.Slots(), in.Rows())
	fmt.Println("answers:", in.Answers())
	r, c := in.Margins(in.Hebbian()).Dims()
	fmt.Printf("margins: %d x %d\n", r, c)
	back, err := model.ParseModel(m.String())
	fmt.Println("the name reads back:", back == m, err)
	// Output:
	// vocabulary-4-zipf1: d=6 p=12 V=4, 36 margin rows
	// answers: [2 0 1 0 2 0 3 1 0 2 1 3]
	// margins: 12 x 4
	// the name reads back: true <nil>
}
