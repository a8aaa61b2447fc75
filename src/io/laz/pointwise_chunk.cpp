// Compressor-2 chunks; see include/tessera/io/laz/pointwise_chunk.hpp.
#include "tessera/io/laz/pointwise_chunk.hpp"

#include <cstring>

#include "tessera/core/error.hpp"
#include "tessera/io/laz/byte_v2.hpp"
#include "tessera/io/laz/gpstime11_v2.hpp"
#include "tessera/io/laz/point10_v1.hpp"
#include "tessera/io/laz/point10_v2.hpp"
#include "tessera/io/laz/rgb12_v2.hpp"
#include "tessera/io/laz/wavepacket.hpp"

namespace tessera::io::laz {

namespace {

// The encoder closes a chunk with the bytes that flush its interval, padded
// so that the decoder's reads end exactly at the chunk's end (LASzip's and
// laz-perf's chunks, and Tessera's, all do): any byte short or left over
// means the chunk holds another number of points than it should.
constexpr std::size_t kClosingSlack = 0;

}  // namespace

PointwiseChunkDecoder::PointwiseChunkDecoder(const std::vector<Item>& items) {
  for (const Item& it : items) {
    offsets_.push_back(record_length_);
    record_length_ += it.size;
    switch (static_cast<ItemType>(it.type)) {
      case ItemType::kPoint10:
        if (it.version == 1)
          items_.push_back(std::make_unique<Point10V1Decoder>());
        else
          items_.push_back(std::make_unique<Point10V2Decoder>());
        break;
      case ItemType::kGpsTime11:
        items_.push_back(std::make_unique<GpsTime11V2Decoder>());
        break;
      case ItemType::kRgb12:
        items_.push_back(std::make_unique<Rgb12V2Decoder>());
        break;
      case ItemType::kByte:
        items_.push_back(std::make_unique<ByteV2Decoder>(it.size));
        break;
      case ItemType::kWavepacket13:
        items_.push_back(std::make_unique<WavePacket13V1Decoder>());
        break;
      default:
        throw FormatError("LAZ: item " + item_name(it.type) + " has no point-wise decoder");
    }
  }
}

void PointwiseChunkDecoder::decode(const std::uint8_t* data, std::size_t size, std::uint64_t points,
                                   std::uint8_t* out, const std::string& file, std::size_t chunk) {
  if (points == 0)
    return;
  const std::string object = "chunk " + std::to_string(chunk);
  if (size < record_length_) {
    throw FormatError("LAZ: chunk of " + std::to_string(size) +
                          " bytes cannot hold its raw first " + "record of " +
                          std::to_string(record_length_) + " bytes",
                      file, object);
  }
  std::memcpy(out, data, record_length_);
  for (std::size_t i = 0; i < items_.size(); ++i)
    items_[i]->start(out + offsets_[i]);
  ArithmeticDecoder dec(data + record_length_, size - record_length_);
  if (points > 1) {
    dec.start();
    for (std::uint64_t p = 1; p < points; ++p) {
      std::uint8_t* rec = out + p * record_length_;
      for (std::size_t i = 0; i < items_.size(); ++i)
        items_[i]->decode(dec, rec + offsets_[i]);
      if (dec.overrun() > kClosingSlack) {
        throw FormatError("LAZ: the chunk's " + std::to_string(size) + " bytes end at point " +
                              std::to_string(p) + " of the " + std::to_string(points) +
                              " it should hold (chunk truncated, or its point count disagrees)",
                          file, object);
      }
    }
  }
  const std::size_t used = record_length_ + dec.consumed();
  if (points > 1 && used + kClosingSlack < size) {
    throw FormatError("LAZ: decoding the chunk's " + std::to_string(points) + " points used " +
                          std::to_string(used) + " of its " + std::to_string(size) +
                          " bytes (its point count disagrees with its data)",
                      file, object);
  }
}

PointwiseChunkEncoder::PointwiseChunkEncoder(const std::vector<Item>& items) {
  for (const Item& it : items) {
    offsets_.push_back(record_length_);
    record_length_ += it.size;
    switch (static_cast<ItemType>(it.type)) {
      case ItemType::kPoint10:
        items_.push_back(std::make_unique<Point10V2Encoder>());
        break;
      case ItemType::kGpsTime11:
        items_.push_back(std::make_unique<GpsTime11V2Encoder>());
        break;
      case ItemType::kRgb12:
        items_.push_back(std::make_unique<Rgb12V2Encoder>());
        break;
      case ItemType::kByte:
        items_.push_back(std::make_unique<ByteV2Encoder>(it.size));
        break;
      case ItemType::kWavepacket13:
        items_.push_back(std::make_unique<WavePacket13V1Encoder>());
        break;
      default:
        throw UsageError("LAZ: item " + item_name(it.type) + " has no point-wise encoder");
    }
  }
}

void PointwiseChunkEncoder::encode(const std::uint8_t* records, std::uint64_t points,
                                   std::vector<std::uint8_t>& out) {
  if (points == 0)
    return;
  out.insert(out.end(), records, records + record_length_);
  for (std::size_t i = 0; i < items_.size(); ++i)
    items_[i]->start(records + offsets_[i]);
  ArithmeticEncoder enc(out);
  for (std::uint64_t p = 1; p < points; ++p) {
    const std::uint8_t* rec = records + p * record_length_;
    for (std::size_t i = 0; i < items_.size(); ++i)
      items_[i]->encode(enc, rec + offsets_[i]);
  }
  enc.finish();
}

}  // namespace tessera::io::laz
