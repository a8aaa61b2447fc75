// One item of a layered LAZ point (compressor 3: POINT14, RGB14, RGBNIR14,
// BYTE14, version 3). Unlike the point-wise items (item_decoder.hpp), each
// item codes its fields into one or more layers, each layer an arithmetic
// coder stream of its own, so that a reader may leave out the layers it
// does not need. A layer of 0 bytes holds no values: the field never
// changed in the chunk and every point repeats the chunk's first.
//
// Every item keeps its state per scanner channel (4 "contexts"); the
// POINT14 item decodes the channel first and hands it to the items after
// it through `context`. (LASzip specification for LAS 1.4, "Chunk Layout".)
//
// The channel rule of LASzip's v3 coder, which every file written by it
// (and by laz-perf) follows, so Tessera reads and writes the same way: at a
// chunk's start the items get the first point's channel; for every later
// point `context` starts at 0 and POINT14 sets it only when the point's
// channel differs from the one before (the per-point variable of LASzip's
// LASreadPoint::read / LASwritePoint::write; LAStools issue #43, LASzip
// issue #74). So RGB14, RGBNIR14, BYTE14 and WAVEPACKET14 switch to the new
// channel at a change and back to context 0 on the next point. An item
// switching to a context not yet used in the chunk starts it from the last
// values of the context it leaves; switching to one already used, that one
// point is still predicted from (and stored as) the left context's last
// values, with the new context's models.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "tessera/io/laz/arithmetic_decoder.hpp"
#include "tessera/io/laz/arithmetic_encoder.hpp"

namespace tessera::io::laz {

inline constexpr unsigned kScannerChannels = 4;

class LayeredItemDecoder {
 public:
  virtual ~LayeredItemDecoder() = default;
  /// Number of layers (each with a u32 byte count in the chunk's head).
  virtual std::size_t layers() const = 0;
  /// Name of layer `i` for messages ("XY", "Z", "RGB", "byte 3", ...).
  virtual std::string layer_name(std::size_t i) const = 0;
  /// A new chunk: `first` is the item's bytes of its raw first point,
  /// `context` the scanner channel (POINT14 sets it), `streams[i]` layer i's
  /// decoder or nullptr when the layer is empty.
  virtual void start(const std::uint8_t* first, unsigned& context,
                     ArithmeticDecoder* const* streams) = 0;
  virtual void decode(std::uint8_t* item, unsigned& context) = 0;
};

class LayeredItemEncoder {
 public:
  virtual ~LayeredItemEncoder() = default;
  virtual std::size_t layers() const = 0;
  /// A new chunk whose raw first point's item bytes are `first`.
  virtual void start(const std::uint8_t* first, unsigned& context) = 0;
  virtual void encode(const std::uint8_t* item, unsigned& context) = 0;
  /// Closes the chunk's layers; layer(i) then holds its bytes (empty when
  /// its values never changed, as LASzip leaves such layers out).
  virtual void finish() = 0;
  virtual const std::vector<std::uint8_t>& layer(std::size_t i) const = 0;
};

/// The output layers of an encoder: one byte vector and coder each, and
/// whether any value coded into it differed from the last.
class EncoderLayers {
 public:
  explicit EncoderLayers(std::size_t n) : bytes_(n), coders_(n), changed_(n, 0) {}
  void start() {
    for (std::size_t i = 0; i < bytes_.size(); ++i) {
      bytes_[i].clear();
      coders_[i].emplace(bytes_[i]);
      changed_[i] = 0;
    }
  }
  ArithmeticEncoder& operator[](std::size_t i) { return *coders_[i]; }
  void mark(std::size_t i) { changed_[i] = 1; }
  /// Layer `always` (the XY layer) is kept even when nothing changed.
  void finish(std::optional<std::size_t> always = std::nullopt) {
    for (std::size_t i = 0; i < bytes_.size(); ++i) {
      if (changed_[i] != 0 || always == i)
        coders_[i]->finish();
      else
        bytes_[i].clear();
      coders_[i].reset();
    }
  }
  const std::vector<std::uint8_t>& bytes(std::size_t i) const { return bytes_[i]; }

 private:
  std::vector<std::vector<std::uint8_t>> bytes_;  // never resized: the coders refer to them
  std::vector<std::optional<ArithmeticEncoder>> coders_;
  std::vector<char> changed_;
};

}  // namespace tessera::io::laz
