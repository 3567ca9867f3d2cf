// Package certificate is lamcap's certificate file format: a verdict with its
// evidence, saved so that anyone can re-check it without a solver.
//
// The contract:
//   - A Certificate (Format "lamcap-certificate/2") holds a verdict, storable
//     with W normalised to max |W_ij| = 1 or not-storable with lambda
//     normalised to sum 1, and names its instance exactly (Instance: d, p,
//     model, embedding, the seed or the user's files, and the SHA-256 of the
//     instance's numbers, model.Instance.Hash). New makes one from a
//     feasibility.Verdict; an undecided verdict has none.
//   - Parse reads one strictly: a key given twice, a key in another case than
//     the format's, an unknown key or text after the object is refused with a
//     message naming it by its path, and the instance and the shape of the
//     evidence are validated. What Parse accepts re-encodes (Encode) and
//     parses back to the same certificate (FuzzParseCertificate).
//   - Certificate.Verify re-checks the evidence on the instance with rounding
//     and underflow bounds (lp.CheckStorable, lp.CheckNotStorable), after
//     comparing the instance's hash with the one the file names. eps is the
//     verifier's, never the file's; the file's solve_eps and scale are notes
//     for people. A certificate that does not hold is a *RejectedError.
//     Certificate.Checked is the same check returning the certified verdict
//     (a sweep's checkpoints resume from it).
//   - VerdictRecord and MarginRecord are the JSON forms of one verdict and one
//     max-margin answer (lamcap solve --json, lamcap margin --json).
//
// It sits between feasibility, whose verdicts it saves, and experiment, whose
// sweep directories keep one certificate per line (certificates.jsonl) named
// by its SHA-256 (IsDigest) in the records.
package certificate
