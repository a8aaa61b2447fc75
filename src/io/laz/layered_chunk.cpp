// Compressor-3 chunks; see include/tessera/io/laz/layered_chunk.hpp.
#include "tessera/io/laz/layered_chunk.hpp"

#include <cstring>

#include "tessera/core/error.hpp"
#include "tessera/io/laz/byte14_v3.hpp"
#include "tessera/io/laz/point14_v3.hpp"
#include "tessera/io/laz/rgb14_v3.hpp"
#include "tessera/io/laz/wavepacket14_v3.hpp"

namespace tessera::io::laz {

LayeredChunkDecoder::LayeredChunkDecoder(const std::vector<Item>& items) {
  for (const Item& it : items) {
    offsets_.push_back(record_length_);
    record_length_ += it.size;
    switch (static_cast<ItemType>(it.type)) {
      case ItemType::kPoint14:
        items_.push_back(std::make_unique<Point14V3Decoder>());
        break;
      case ItemType::kRgb14:
        items_.push_back(std::make_unique<Rgb14V3Decoder>(false));
        break;
      case ItemType::kRgbNir14:
        items_.push_back(std::make_unique<Rgb14V3Decoder>(true));
        break;
      case ItemType::kByte14:
        items_.push_back(std::make_unique<Byte14V3Decoder>(it.size));
        break;
      case ItemType::kWavepacket14:
        items_.push_back(std::make_unique<WavePacket14V3Decoder>());
        break;
      default:
        throw FormatError("LAZ: item " + item_name(it.type) + " has no layered decoder");
    }
    layers_ += items_.back()->layers();
  }
}

LayeredChunkDecoder::~LayeredChunkDecoder() = default;

void LayeredChunkDecoder::decode(const std::uint8_t* data, std::size_t size, std::uint64_t points,
                                 std::uint8_t* out, const std::string& file, std::size_t chunk) {
  if (points == 0)
    return;
  const std::string object = "chunk " + std::to_string(chunk);
  auto fail = [&](const std::string& what) { throw FormatError("LAZ: " + what, file, object); };
  if (size < record_length_) {
    fail("chunk of " + std::to_string(size) + " bytes cannot hold its raw first record of " +
         std::to_string(record_length_) + " bytes");
  }
  std::memcpy(out, data, record_length_);
  if (points == 1 && size == record_length_)
    return;  // a lone point needs no layers
  const std::size_t head = record_length_ + 4 + 4 * layers_;
  if (size < head) {
    fail("chunk of " + std::to_string(size) + " bytes ends inside its point count and " +
         std::to_string(layers_) + " layer sizes (" + std::to_string(head) + " bytes)");
  }
  std::uint32_t count;
  std::memcpy(&count, data + record_length_, 4);
  if (count != points) {
    fail("the chunk says it holds " + std::to_string(count) + " points, the chunk table " +
         std::to_string(points) + " (its point count disagrees)");
  }
  std::vector<std::uint32_t> sizes(layers_);
  std::memcpy(sizes.data(), data + record_length_ + 4, 4 * layers_);
  std::uint64_t total = 0;
  for (std::uint32_t s : sizes)
    total += s;
  if (total != size - head) {
    fail("wrong layer sizes: they add up to " + std::to_string(total) +
         " bytes but the chunk has " + std::to_string(size - head) + " after its head" +
         (total > size - head ? " (a layer is truncated)" : ""));
  }
  // Each layer's decoder, reading only that layer's bytes.
  std::vector<ArithmeticDecoder> streams;
  streams.reserve(layers_);
  std::vector<ArithmeticDecoder*> ptr(layers_, nullptr);
  const std::uint8_t* at = data + head;
  for (std::size_t i = 0; i < layers_; ++i) {
    streams.emplace_back(at, sizes[i]);
    if (sizes[i] != 0) {
      ptr[i] = &streams.back();
      ptr[i]->start();
    }
    at += sizes[i];
  }
  if (points > 1 && ptr[0] == nullptr)
    fail("the XY layer is empty but the chunk holds " + std::to_string(points) + " points");
  // The scanner channel POINT14 hands the items after it (the channel rule
  // of layered_item.hpp): the first point's at the chunk's start, then for
  // each point 0 unless its channel changed.
  unsigned context = 0;
  std::size_t layer = 0;
  for (std::size_t i = 0; i < items_.size(); ++i) {
    items_[i]->start(out + offsets_[i], context, ptr.data() + layer);
    layer += items_[i]->layers();
  }
  for (std::uint64_t p = 1; p < points; ++p) {
    std::uint8_t* rec = out + p * record_length_;
    context = 0;
    for (std::size_t i = 0; i < items_.size(); ++i)
      items_[i]->decode(rec + offsets_[i], context);
    if (ptr[0]->overrun() > 0) {
      fail("the XY layer's " + std::to_string(sizes[0]) + " bytes end at point " +
           std::to_string(p) + " of " + std::to_string(points) +
           " (layer truncated, or the chunk's point count disagrees)");
    }
  }
  // Every layer's stream ends exactly at its last byte (the encoder pads it
  // so): bytes short or left over mean a damaged chunk.
  layer = 0;
  for (std::size_t i = 0; i < items_.size(); ++i) {
    for (std::size_t j = 0; j < items_[i]->layers(); ++j, ++layer) {
      const ArithmeticDecoder* s = ptr[layer];
      if (s == nullptr || points == 1)
        continue;
      if (s->overrun() > 0 || s->consumed() != sizes[layer]) {
        fail("layer " + items_[i]->layer_name(j) + " of " + std::to_string(sizes[layer]) +
             " bytes: decoding its " + std::to_string(points) + " points used " +
             std::to_string(s->consumed()) + " (damaged chunk or wrong layer sizes)");
      }
    }
  }
}

LayeredChunkEncoder::LayeredChunkEncoder(const std::vector<Item>& items) {
  for (const Item& it : items) {
    offsets_.push_back(record_length_);
    record_length_ += it.size;
    switch (static_cast<ItemType>(it.type)) {
      case ItemType::kPoint14:
        items_.push_back(std::make_unique<Point14V3Encoder>());
        break;
      case ItemType::kRgb14:
        items_.push_back(std::make_unique<Rgb14V3Encoder>(false));
        break;
      case ItemType::kRgbNir14:
        items_.push_back(std::make_unique<Rgb14V3Encoder>(true));
        break;
      case ItemType::kByte14:
        items_.push_back(std::make_unique<Byte14V3Encoder>(it.size));
        break;
      case ItemType::kWavepacket14:
        items_.push_back(std::make_unique<WavePacket14V3Encoder>());
        break;
      default:
        throw UsageError("LAZ: item " + item_name(it.type) + " has no layered encoder");
    }
  }
}

LayeredChunkEncoder::~LayeredChunkEncoder() = default;

void LayeredChunkEncoder::encode(const std::uint8_t* records, std::uint64_t points,
                                 std::vector<std::uint8_t>& out) {
  if (points == 0)
    return;
  out.insert(out.end(), records, records + record_length_);
  unsigned context = 0;  // as the decoder hands it over
  for (std::size_t i = 0; i < items_.size(); ++i)
    items_[i]->start(records + offsets_[i], context);
  for (std::uint64_t p = 1; p < points; ++p) {
    const std::uint8_t* rec = records + p * record_length_;
    context = 0;
    for (std::size_t i = 0; i < items_.size(); ++i)
      items_[i]->encode(rec + offsets_[i], context);
  }
  auto put32 = [&out](std::uint32_t v) {
    const auto* b = reinterpret_cast<const std::uint8_t*>(&v);
    out.insert(out.end(), b, b + 4);
  };
  put32(static_cast<std::uint32_t>(points));
  for (auto& item : items_) {
    item->finish();
    for (std::size_t j = 0; j < item->layers(); ++j)
      put32(static_cast<std::uint32_t>(item->layer(j).size()));
  }
  for (auto& item : items_) {
    for (std::size_t j = 0; j < item->layers(); ++j)
      out.insert(out.end(), item->layer(j).begin(), item->layer(j).end());
  }
}

}  // namespace tessera::io::laz
