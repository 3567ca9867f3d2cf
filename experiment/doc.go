// Package experiment runs lamcap's measurements on top of package feasibility:
// sweeps of critical sizes over (d, model, seed), their durable store, their
// statistics and the finite-size theory beside them.
//
// Contract:
//   - Settings in, results out. A Sweep is typed settings whose zero value
//     means the defaults (the zero Sweep is the main job's grid: d = 8, 12,
//     ..., 28, coupled and decoupled, 40 seeds, from seed 0; MainJob, what
//     `lamcap capacity` runs, is the same from seed 1); Run computes it in memory and returns a
//     Result: a Record per (d, model, seed) and, per (d, model), a GroupSummary
//     with the finite-size theory (SummariseWithTheory).
//   - RunStore computes the same on a Store: a sweep directory whose grid.json
//     fixes the grid and whose records.jsonl keeps every finished unit as one
//     fsynced JSON line, so a sweep resumes after any crash. Lines that are not
//     records of the grid are moved to records.rejected.jsonl, never dropped
//     unseen; one process at a time holds a directory (sweep.lock). Each record
//     names by SHA-256 the certificates of its verdicts at p* and p*+1, kept in
//     certificates.jsonl; reading a directory (OpenStore, ReadRecords, Merge)
//     re-checks them on the rebuilt instances, so a record proves its p*;
//     those no certificate re-checked (version 1, or digests only) are taken
//     as written and counted (Store.Uncertified, Result.AsWritten of Merge,
//     RecordDirs.AsWritten).
//     Each record names its kappa and its eps (relative to the data's scale,
//     which it states at p*+1), so that a line read out of its directory says
//     what it is; records of an older lamcap get their grid.json's when read.
//     It lists the verdicts where a solver's not-storable certificate was
//     overruled by another's storable one, and summaries count them.
//   - Verdicts of a unit under way survive too: a bracketing search
//     (feasibility.Brackets) checkpoints its bracket after each certified
//     verdict in PartialDir (certificates of both ends, made on the instance
//     the search solved; checked to be the unit's and verified before they
//     are trusted again, an end that fails dropped alone; feasibility.Known
//     resumes the search from them), and the checkpoint is deleted once the
//     unit's record is written. A record states the checks of the
//     certificates it names (as verify computes them), so a resumed unit's
//     record is the uninterrupted one's in every field but Seconds.
//   - Grid is the on-disk form of a Sweep (Sweep.Grid, Grid.Sweep). Grid.Same is
//     the one equality of grids, used by resuming and merging alike: the order
//     of the d and model lists and the solver's choices do not matter to it.
//     Grid, Unit and Record hold typed values (model.Model, model.Embedding,
//     lp.Rows, lp.Method), written by their MarshalText as the names they
//     always had: a name is parsed once, when grid.json or a record line is
//     read, and an unknown or malformed one is refused there, naming its
//     field (a bad record line is set aside, a bad grid.json is a DirError).
//   - A sweep of the user's arrays (Sweep.Data, LoadUserData: one instance
//     family, one unit) names them in grid.json by absolute path and SHA-256;
//     its records' certificates are checked on the arrays, and a directory
//     whose files' bytes changed is refused by resume, merge and ReadRecords
//     with a DirError naming the file.
//   - A verdict sweep (Sweep.At, grid.json "verdict_at": one VerdictPoint per
//     (d, model)) is the single-verdict design: one certified verdict per
//     unit at the p fixed in advance for its (d, model), made with the
//     solver the threshold search would use (sign only where the solver can
//     stop at the sign), instead of a p*. It runs on the same store, lock,
//     shards, resume, digests-only and merge as a p* sweep; its records are
//     the same format (lower = p storable, upper = p not storable, neither
//     undecided, solves = 1, the one certificate named), read as verdicts by
//     VerdictOf, counted by SummariseVerdicts (Result.Verdicts, with exact
//     Clopper-Pearson intervals), never summarised as p*.
//   - Units and shards: Grid.Units lists the units in a fixed order and Shard
//     slices them deterministically for clusters (Sweep.Shard, Sweep.Shards).
//   - Statistics (from package stats): P(storable | p) curves with Wilson
//     intervals (StorableCurve) and per-(d, model) summaries with
//     order-statistic intervals of the median (Summarise). Theory is compared
//     with mean p* + HalfAssociation (p* is the integer part of a real
//     threshold), with its Student t interval: EstimateThreshold is the one
//     home of that estimate, which Summarise, SummariseVocab, StudyRules,
//     StudyTwoLayer and package validation use, and at which capacities are
//     taken (p_c log p_c / d^2;
//     bits per parameter, p_c log2 V / d^2, for a vocabulary model).
//     Undecided instances are counted, never imputed.
//   - Studies, each StudyX(ctx, settings) (result, error) with settings whose
//     zero fields mean the defaults and, for those that solve LPs, an
//     lp.Options (method, eps, time limit): the optimal, LP-vertex, Hebbian and
//     pseudo-inverse memories of an
//     instance (Memories) with their scores, spectra and KS comparisons
//     (StudyModel, StudyMechanism; CompareModels at equal p and, given measured p_c
//     (MeasuredPC), at equal relative load, with kappa* per seed and the
//     tight competitors of the max-margin memory), the learning rules against p
//     (StudyRules), two-layer networks (StudyTwoLayer), and the finite
//     vocabulary (FindVocabThreshold, MeasureVocabCurve, StudyVocab: a
//     resumable records.jsonl of certified thresholds over a V grid, whole or
//     reduced, read only if a regular file, one process per directory;
//     VocabStudy.Parts, how far each d
//     has got; SummariseVocab and WriteVocabReport, which writes
//     docs/vocabulary.md).
//   - Certificates: a sweep directory keeps the certificate files (package
//     certificate) of its records' bounds, one per line, each checked with
//     certificate.Parse and Certificate.Verify when read. Merge combines the
//     shard directories of one sweep.
//   - Errors are values with context; a cancelled context stops a sweep at
//     once, keeping every unit finished before.
//
// Data flows one way: model -> lp -> feasibility -> certificate -> experiment
// -> cmd/lamcap, with theory beside.
package experiment
