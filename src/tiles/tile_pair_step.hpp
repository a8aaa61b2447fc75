// The skeleton of a two-epoch tile step (c2c, m3c2): one distributed loop,
// the methods supply a kernel and declarations.
//
// TilePairStep::run owns everything a step does around its kernel:
//   prologue  fingerprint (skipped when up to date), the pair's CRS
//   read      each rank maps its block of each file (epoch.hpp)
//   scan      one walk lists each record under its tiles (tile_plan.hpp),
//             counting points outside the headers' bounds on the way
//   plan      tile owners (plan_tiles), rounds (tile_rounds.hpp), and the
//             output's records per tile: known before anything is computed
//   rounds    each round's tiles' copies move to their owners
//             (tile_exchange.hpp), the kernel runs on each tile, and each
//             tile's records go straight to their place in the output
//             (TiledLasWriter)
//   summary   the step's statistics reduced over ranks, the common fields
//             and the step's own in <out>.summary.json
// (exactextract's Processor is the model: one abstract step, the methods
// differing only in hooks.) The DoD, whose output is a raster of cells and
// not the points of tiles, shares the prologue (open_pair) and the summary's
// common fields (pair_summary) but not the tile plan: docs/architecture.md.
//
// A new method is a subclass in one file: declare() (name, halo, which
// epoch's points become output records, the extra dimensions), compute()
// (the kernel on one tile), summarise(); see docs/architecture.md.
#pragma once

#include <nlohmann/json.hpp>

#include <cstdint>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <vector>

#include "tessera/core/fingerprint.hpp"
#include "tessera/core/mpi.hpp"
#include "tessera/io/las_format.hpp"
#include "tessera/tiles/epoch.hpp"
#include "tessera/tiles/epoch_crs.hpp"
#include "tessera/tiles/steps.hpp"
#include "tessera/tiles/tile_point.hpp"

namespace tessera::tiles {

/// The extra dimensions of an output's records (LAS 1.4 extra bytes), in
/// declared order after the 30 bytes of format 6: offsets follow from the
/// declarations, never written by hand.
class ExtraDims {
 public:
  ExtraDims() = default;
  explicit ExtraDims(std::vector<io::LasExtraBytes> dims);
  const std::vector<io::LasExtraBytes>& dims() const noexcept { return dims_; }
  /// Byte of dimension `i` in a record.
  int offset(std::size_t i) const { return offset_[i]; }
  /// Stores `v` as dimension `i` of `rec`; T must have the declared size.
  template <class T>
  void set(std::uint8_t* rec, std::size_t i, T v) const {
    if (sizeof(T) != static_cast<std::size_t>(dims_[i].size()))
      throw std::logic_error("ExtraDims::set: " + dims_[i].name + " is not of this type's size");
    io::LasPointLayout::store(rec, offset_[i], v);
  }

 private:
  std::vector<io::LasExtraBytes> dims_;
  std::vector<int> offset_;
};

/// A step's statistics, mergeable over ranks element by element: counters
/// and sums are summed, minima and maxima taken (one reduction each).
struct StepStats {
  std::vector<std::int64_t> counts;
  std::vector<double> sums, mins, maxs;
  /// Collective: every rank's statistics merged, on every rank.
  void reduce(const Comm& comm);
};

/// What a step declares once the pair's CRS is known.
struct TilePairLayout {
  double halo = 0;        ///< the method's halo (--halo may raise it)
  bool halo_b = true;     ///< B's points get halo copies too (c2c: only A's)
  bool output_b = false;  ///< output records are B's points (else A's)
  /// Output records: the output epoch's points whose record index % step == 0.
  std::uint64_t output_step = 1;
  /// Without --memory-mb, a working-set cap per round for speed (MiB, 0:
  /// none; tile_rounds.hpp's soft budget).
  double round_mb = 0;
  std::vector<io::LasExtraBytes> extra;  ///< the output's extra dimensions
};

/// One tile's output records: format 6 encoded by the skeleton from the
/// output points, the extra dimensions left to the kernel (extra.set).
struct TileOutput {
  std::uint8_t* record(std::size_t i) { return records + i * record_length; }
  std::uint8_t* records = nullptr;
  std::size_t record_length = 0;
  const ExtraDims& extra;
};

/// A pair step's inputs once its prologue has run: both epochs opened
/// (validated, blocks fixed, nothing read yet) and the pair's CRS.
struct PairInputs {
  EpochBlock a, b;
  CrsFacts crs;
};

/// Collective: the prologue every pair step shares (TilePairStep::run and
/// run_dod): nullopt on every rank when the output is up to date with `fp`
/// (not --clobber), else the epochs opened and the CRS checked (`step`
/// names it in messages).
std::optional<PairInputs> open_pair(const Comm& comm, const PairOptions& p, const Fingerprint& fp,
                                    const std::string& step);

/// The summary fields every pair step starts with: step, a, b, output and
/// unit (of the step's distances, cells and options).
nlohmann::json pair_summary(const PairOptions& p, const std::string& step, const CrsFacts& crs);

class TilePairStep {
 public:
  explicit TilePairStep(const PairOptions& pair) : pair_(pair) {}
  virtual ~TilePairStep() = default;
  TilePairStep(const TilePairStep&) = delete;
  TilePairStep& operator=(const TilePairStep&) = delete;

  /// Collective: the whole step. Returns the summary on rank 0 (null
  /// elsewhere, and when the output was up to date).
  nlohmann::json run(const Comm& comm);

 protected:
  /// "c2c": the fingerprint's step, messages, the summary's "step".
  virtual std::string name() const = 0;
  /// The step's options in its fingerprint.
  virtual void add_fingerprint(Fingerprint& fp) const = 0;
  /// Called on every rank once the CRS is known (its unit names the extra
  /// dimensions' units); may log on rank 0.
  virtual TilePairLayout declare(const Comm& comm, const CrsFacts& crs) = 0;
  /// The kernel on one tile: `a` and `b` are the tile's points (core and
  /// halo copies) sorted by id, `outputs` the indices in the output epoch's
  /// span of the points whose records `out` holds, in order. Accumulates
  /// into stats_ (this rank's share).
  virtual void compute(int tile, std::span<const TilePoint> a, std::span<const TilePoint> b,
                       const std::vector<std::uint32_t>& outputs, TileOutput& out) = 0;
  /// The step's fields of the summary, stats_ reduced over ranks; logs its
  /// line on rank 0.
  virtual void summarise(nlohmann::json& s, const CrsFacts& crs) const = 0;

  const PairOptions& pair_;
  StepStats stats_;
};

}  // namespace tessera::tiles
