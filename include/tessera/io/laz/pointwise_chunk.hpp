// Decoding one chunk of compressor 2 (point-wise chunked): the chunk's
// first record raw, then the coder's stream, every later record decoded
// item by item (POINT10, GPSTIME11, RGB12, BYTE; version 2). Chunks are
// independent, so threads decode them side by side, each with its own
// PointwiseChunkDecoder.
//
// The chunk's byte count (chunk table) bounds the input: a chunk whose
// points need more bytes than it has, or leave more than the coder's
// closing bytes unread, holds another number of points than the table or
// header says, and is refused naming the file and the chunk.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "tessera/io/laz/item_decoder.hpp"
#include "tessera/io/laz/item_encoder.hpp"
#include "tessera/io/laz/laz_vlr.hpp"

namespace tessera::io::laz {

class PointwiseChunkDecoder {
 public:
  /// `items` as checked by require_decodable.
  explicit PointwiseChunkDecoder(const std::vector<Item>& items);
  /// Decodes `points` records of the chunk `data`[0, size) into `out`.
  /// `file` and `chunk` (its index) name it in errors.
  void decode(const std::uint8_t* data, std::size_t size, std::uint64_t points, std::uint8_t* out,
              const std::string& file, std::size_t chunk);

 private:
  std::vector<std::unique_ptr<ItemDecoder>> items_;
  std::vector<std::size_t> offsets_;  ///< each item's byte offset in the record
  std::size_t record_length_ = 0;
};

/// The writing side: one chunk of records compressed (first record raw, then
/// the coder's stream, closed so the decoder ends on its last byte).
class PointwiseChunkEncoder {
 public:
  explicit PointwiseChunkEncoder(const std::vector<Item>& items);
  /// Appends the chunk of `points` records at `records` to `out`.
  void encode(const std::uint8_t* records, std::uint64_t points, std::vector<std::uint8_t>& out);

 private:
  std::vector<std::unique_ptr<ItemEncoder>> items_;
  std::vector<std::size_t> offsets_;
  std::size_t record_length_ = 0;
};

}  // namespace tessera::io::laz
