// Package model builds the instances of lamcap: inputs x_mu, targets y_mu and
// competitors in dimension d, the scores and margins of a memory W on them, and
// the classical learning rules.
//
// docs/theory.md, "The model", states the model: embeddings, normalisation,
// coupled and decoupled competitors, storability and capacity.
//
// # Instances
//
// A Source produces the vectors of an instance family one at a time; Random is
// the seeded source, and an Instance is the prefix of p associations of a source.
// Growing an instance (Instance.Grow) appends associations and never changes the
// ones it has, so the instance with p associations is the prefix of the one with
// p+1; Instance.Prefix takes the instance of fewer associations as a view,
// without drawing. For the coupled model the competitors of mu are the other targets; for the
// decoupled model competitor slot v of association mu holds its own fresh vector
// c_(mu,v), drawn from the target distribution on demand. NewInstanceContext
// and Instance.GrowContext stop with the context's error when it is done
// (checked per block of associations), leaving the instance as it was.
//
// The vocabulary model (Vocabulary: V words and an answer a(mu) per input,
// uniform, balanced or Zipf) has targets y_mu = word a(mu) and the V - 1 other
// words as competitors: its margins are p x V (Instance.Slots), slot
// Instance.Own(mu) = a(mu) being the association's own. Instance.Words and
// Instance.Answers hold the vocabulary; VocabMatrices is the user-data source.
// A Model is a comparable value whose String form (ParseModel, MarshalText)
// names the vocabulary too: "vocabulary-16-zipf1".
//
// # The generator
//
// Every vector has its own random stream, keyed by (seed, kind, mu, v) through the
// SplitMix64 finaliser (kind: 1 input, 2 target, 3 competitor, 4 fixed layer,
// 5 word, 6 answer). Uniform answers take the high half of a 64-bit word times
// V; balanced ones permute the V words afresh in every block of V inputs
// (Fisher-Yates); Zipf ones invert cumulative weights computed with portable
// exp and log, so answers are the same on every machine too. A stream is a
// SplitMix64 sequence (state += 0x9e3779b97f4a7c15, output = finaliser(state));
// a uniform on [-1, 1) takes the top 53 bits; standard normals come in pairs from
// Marsaglia's polar method with a logarithm (portableLog) that uses only exactly
// rounded IEEE operations and explicit float64 conversions, which forbid fused
// multiply-adds. Gaussian embeddings divide the normals by sqrt(d); sphere
// embeddings divide them by their Euclidean norm. A correlated embedding
// (Correlated(rho), named "correlated:RHO") makes each vector
// (sqrt(1-rho) g + sqrt(rho) c) / sqrt(d), with g the vector's own normals and c
// the d normals of one common direction per seed and side: stream
// (seed, 7, 1, 0) for the inputs, (seed, 7, 2, 0) for targets, competitors and
// words (kind 7; the products are rounded before the sum). Its entries are
// N(0, 1/d); two inputs, or two targets, or a target and a decoupled
// competitor, have correlation rho entry by entry and E[u . v] = rho; inputs
// and targets stay independent. The same seed therefore gives
// bit-identical numbers on every machine and Go version; a golden test pins them.
//
// An Embedding is a comparable value (the zero one is Gaussian) whose String
// form, which ParseEmbedding and UnmarshalText read back, names its parameters;
// Embedding.Seeded says whether Random can draw it (every embedding but User).
//
// # Scores and margins
//
// Scores(W) computes every score c_(mu,v)^T W x_mu with gonum's BLAS (one matrix
// product for the coupled model); Margins(W) subtracts them from the correct
// scores; MarginErrorBounds bounds the rounding error of that computation, which
// is what lets package lp certify a storable W exactly.
package model
