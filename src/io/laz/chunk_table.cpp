// The LAZ chunk table; see include/tessera/io/laz/chunk_table.hpp.
#include "tessera/io/laz/chunk_table.hpp"

#include <algorithm>
#include <cstring>

#include "tessera/core/error.hpp"
#include "tessera/io/laz/arithmetic_decoder.hpp"
#include "tessera/io/laz/arithmetic_encoder.hpp"
#include "tessera/io/laz/integer_decoder.hpp"
#include "tessera/io/laz/integer_encoder.hpp"
#include "tessera/io/laz/laz_vlr.hpp"

namespace tessera::io::laz {

std::vector<Chunk> decode_chunk_table(const std::uint8_t* data, std::size_t size,
                                      const ChunkTableLayout& layout, const std::string& file) {
  const std::string object = "chunk table at byte " + std::to_string(layout.table_offset);
  auto corrupt = [&](const std::string& what) {
    throw FormatError("LAZ: corrupt chunk table: " + what, file, object);
  };
  if (size < 8)
    corrupt("it needs 8 bytes but the file ends after " + std::to_string(size));
  std::uint32_t version, count;
  std::memcpy(&version, data, 4);
  std::memcpy(&count, data + 4, 4);
  if (version != 0)
    corrupt("version " + std::to_string(version) + " (0 expected)");
  const bool variable = layout.chunk_size == kVariableChunks;
  if (!variable) {
    const std::uint64_t need = (layout.point_count + layout.chunk_size - 1) / layout.chunk_size;
    if (count != need) {
      corrupt("it lists " + std::to_string(count) + " chunks but the header's " +
              std::to_string(layout.point_count) + " points in chunks of " +
              std::to_string(layout.chunk_size) + " make " + std::to_string(need));
    }
  } else if (count > layout.point_count) {
    corrupt("it lists " + std::to_string(count) + " chunks for " +
            std::to_string(layout.point_count) + " points");
  }
  // Every chunk holds at least its raw first record: a count the chunks'
  // space cannot hold is damage (and is checked before allocating for it).
  const std::uint64_t space = layout.table_offset - layout.data_start;
  if (layout.record_length > 0 &&
      count > space / static_cast<std::uint64_t>(layout.record_length)) {
    corrupt("it lists " + std::to_string(count) + " chunks but " + std::to_string(space) +
            " bytes of chunks hold at most " +
            std::to_string(space / static_cast<std::uint64_t>(layout.record_length)) +
            " records of " + std::to_string(layout.record_length) + " bytes");
  }
  std::vector<Chunk> chunks(count);
  if (count > 0) {
    ArithmeticDecoder dec(data + 8, size - 8);
    dec.start();
    IntegerDecoder ic(32, 2);
    std::uint32_t points = 0, bytes = 0;
    for (std::uint32_t i = 0; i < count; ++i) {
      if (variable)
        points = static_cast<std::uint32_t>(ic.decode(dec, static_cast<std::int32_t>(points), 0));
      else
        points = static_cast<std::uint32_t>(std::min<std::uint64_t>(
            layout.chunk_size, layout.point_count - std::uint64_t{i} * layout.chunk_size));
      bytes = static_cast<std::uint32_t>(ic.decode(dec, static_cast<std::int32_t>(bytes), 1));
      chunks[i].points = points;
      chunks[i].bytes = bytes;
    }
    if (dec.overrun() > 0)
      corrupt("its entries run past the end of the file");
  }
  std::uint64_t first = 0, offset = layout.data_start;
  for (std::uint32_t i = 0; i < count; ++i) {
    Chunk& c = chunks[i];
    c.first_point = first;
    c.offset = offset;
    if (c.points > 0 && c.bytes < static_cast<std::uint64_t>(layout.record_length)) {
      corrupt("chunk " + std::to_string(i) + " of " + std::to_string(c.points) + " points has " +
              std::to_string(c.bytes) + " bytes, less than one raw record");
    }
    first += c.points;
    offset += c.bytes;
    if (offset > layout.table_offset) {
      corrupt("chunk " + std::to_string(i) + " (" + std::to_string(c.bytes) + " bytes at byte " +
              std::to_string(c.offset) + ") runs past the table's start");
    }
  }
  if (first != layout.point_count) {
    corrupt("its chunks hold " + std::to_string(first) + " points but the header says " +
            std::to_string(layout.point_count));
  }
  return chunks;
}

std::size_t part_start(const std::vector<Chunk>& chunks, int parts, int index) {
  if (index <= 0 || parts <= 0)
    return 0;
  if (index >= parts)
    return chunks.size();
  double total = 0;
  for (const Chunk& c : chunks)
    total += static_cast<double>(c.bytes);
  // Where the part's bytes start (doubles: no overflow; every rank computes
  // the same from the same table).
  const double target = total * index / parts;
  double before = 0;
  for (std::size_t c = 0; c < chunks.size(); ++c) {
    if (before + 0.5 * static_cast<double>(chunks[c].bytes) >= target)
      return c;
    before += static_cast<double>(chunks[c].bytes);
  }
  return chunks.size();
}

std::size_t chunk_of(const std::vector<Chunk>& chunks, std::uint64_t p) {
  auto it = std::upper_bound(chunks.begin(), chunks.end(), p,
                             [](std::uint64_t v, const Chunk& c) { return v < c.first_point; });
  return static_cast<std::size_t>(it - chunks.begin()) - 1;
}

}  // namespace tessera::io::laz

namespace tessera::io::laz {

std::vector<std::uint8_t> encode_chunk_table(const std::vector<Chunk>& chunks, bool variable) {
  std::vector<std::uint8_t> out(8, 0);
  const auto count = static_cast<std::uint32_t>(chunks.size());
  std::memcpy(out.data() + 4, &count, 4);
  if (chunks.empty())
    return out;
  ArithmeticEncoder enc(out);
  IntegerEncoder ic(32, 2);
  std::uint32_t points = 0, bytes = 0;
  for (const Chunk& c : chunks) {
    if (variable) {
      ic.encode(enc, static_cast<std::int32_t>(points), static_cast<std::int32_t>(c.points), 0);
      points = static_cast<std::uint32_t>(c.points);
    }
    ic.encode(enc, static_cast<std::int32_t>(bytes), static_cast<std::int32_t>(c.bytes), 1);
    bytes = static_cast<std::uint32_t>(c.bytes);
  }
  enc.finish();
  return out;
}

}  // namespace tessera::io::laz
