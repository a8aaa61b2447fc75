// One chunk of compressor 3 (layered chunked: point formats 6-10), laid out
// as (LASzip specification for LAS 1.4, "Chunk Layout"):
//
//   the chunk's first record, raw;
//   u32 the number of points in the chunk (the raw one included);
//   u32 byte count of every layer, item by item in record order (POINT14:
//   9 layers; RGB14: 1; RGBNIR14: 2; WAVEPACKET14: 1; BYTE14: one per
//   byte);
//   the layers' bytes in the same order, each a coder stream of its own.
//
// A layer of 0 bytes is a field that never changes in the chunk. Errors
// name the file and the chunk (and the layer): a point count that
// disagrees with the chunk table's, layer sizes that do not add up to the
// chunk's bytes, a layer whose stream ends before its points do or holds
// bytes they do not use.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "tessera/io/laz/layered_item.hpp"
#include "tessera/io/laz/laz_vlr.hpp"

namespace tessera::io::laz {

class LayeredChunkDecoder {
 public:
  /// `items` as checked by require_decodable (compressor 3).
  explicit LayeredChunkDecoder(const std::vector<Item>& items);
  ~LayeredChunkDecoder();
  /// Decodes `points` records of the chunk `data`[0, size) into `out`.
  void decode(const std::uint8_t* data, std::size_t size, std::uint64_t points, std::uint8_t* out,
              const std::string& file, std::size_t chunk);

 private:
  std::vector<std::unique_ptr<LayeredItemDecoder>> items_;
  std::vector<std::size_t> offsets_;  ///< each item's byte offset in the record
  std::size_t record_length_ = 0;
  std::size_t layers_ = 0;
};

class LayeredChunkEncoder {
 public:
  explicit LayeredChunkEncoder(const std::vector<Item>& items);
  ~LayeredChunkEncoder();
  /// Appends the chunk of `points` records at `records` to `out`.
  void encode(const std::uint8_t* records, std::uint64_t points, std::vector<std::uint8_t>& out);

 private:
  std::vector<std::unique_ptr<LayeredItemEncoder>> items_;
  std::vector<std::size_t> offsets_;
  std::size_t record_length_ = 0;
};

}  // namespace tessera::io::laz
