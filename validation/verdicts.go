package validation

// VerdictTargets are the verdict sweeps of the science sweep: at D, one
// certified verdict per model for seeds 1..Pairs, at a p0 fixed per model in
// advance, in the directory Part of docs/data/science (the part of
// scripts/science-sweep.sh of the same name, a 'lamcap sweep --at' run;
// TestVerdictTargetsMatchScript keeps them equal). At d = 128 a p* search
// costs about 6 verdicts and one verdict per instance carries about as much
// information on the paired shift as a full p* (the report's design
// section), so 40 pairs of verdicts cost about as much as 7 pairs of p*.
var VerdictTargets = []Target{{D: 128, Pairs: 40, Part: "d128v"}}
