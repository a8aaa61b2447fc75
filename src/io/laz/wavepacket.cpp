// LAZ wave packets; see include/tessera/io/laz/wavepacket.hpp.
#include "tessera/io/laz/wavepacket.hpp"

#include <cstring>

#include "record_bytes.hpp"

namespace tessera::io::laz {

namespace {

// Byte offsets inside the 29-byte descriptor (LAS 1.4 R15, Table 13).
constexpr int kIndex = 0, kOffset = 1, kSize = 9, kLocation = 13, kXt = 17, kYt = 21, kZt = 25;

// How an offset follows the last one (the 4-symbol model's values).
constexpr std::uint32_t kSameOffset = 0, kAfterLast = 1, kDiff32 = 2, kRaw64 = 3;

}  // namespace

WavePacketDecoding::WavePacketDecoding()
    : index_(256),
      offset_kind_{SymbolModel(4), SymbolModel(4), SymbolModel(4), SymbolModel(4)},
      offset_diff_(32),
      size_(32),
      location_(32),
      xyz_(32, 3) {}

void WavePacketDecoding::reset() {
  index_.reset();
  for (SymbolModel& m : offset_kind_)
    m.reset();
  offset_diff_.reset();
  size_.reset();
  location_.reset();
  xyz_.reset();
  last_diff_ = 0;
  last_kind_ = 0;
}

void WavePacketDecoding::decode(ArithmeticDecoder& dec, const std::uint8_t* last,
                                std::uint8_t* item) {
  const auto index = static_cast<std::uint8_t>(dec.decode_symbol(index_));
  const auto last_offset = load<std::uint64_t>(last, kOffset);
  const auto last_size = load<std::uint32_t>(last, kSize);
  last_kind_ = dec.decode_symbol(offset_kind_[last_kind_]);
  std::uint64_t offset = last_offset;
  if (last_kind_ == kAfterLast) {
    offset = last_offset + last_size;
  } else if (last_kind_ == kDiff32) {
    last_diff_ = offset_diff_.decode(dec, last_diff_);
    // The difference is signed: an offset may go back.
    offset = last_offset + static_cast<std::uint64_t>(static_cast<std::int64_t>(last_diff_));
  } else if (last_kind_ == kRaw64) {
    const std::uint64_t low = dec.read_int();
    const std::uint64_t high = dec.read_int();
    offset = (high << 32) | low;
  }
  auto next = [&](IntegerDecoder& coder, int at, unsigned context) {
    const auto v = coder.decode(dec, load<std::int32_t>(last, at), context);
    store(item, at, v);
  };
  item[kIndex] = index;
  store(item, kOffset, offset);
  next(size_, kSize, 0);
  next(location_, kLocation, 0);
  next(xyz_, kXt, 0);
  next(xyz_, kYt, 1);
  next(xyz_, kZt, 2);
}

WavePacketEncoding::WavePacketEncoding()
    : index_(256, false),
      offset_kind_{SymbolModel(4, false), SymbolModel(4, false), SymbolModel(4, false),
                   SymbolModel(4, false)},
      offset_diff_(32),
      size_(32),
      location_(32),
      xyz_(32, 3) {}

void WavePacketEncoding::reset() {
  index_.reset();
  for (SymbolModel& m : offset_kind_)
    m.reset();
  offset_diff_.reset();
  size_.reset();
  location_.reset();
  xyz_.reset();
  last_diff_ = 0;
  last_kind_ = 0;
}

void WavePacketEncoding::encode(ArithmeticEncoder& enc, const std::uint8_t* last,
                                const std::uint8_t* item) {
  enc.encode_symbol(index_, item[kIndex]);
  const auto last_offset = load<std::uint64_t>(last, kOffset);
  const auto last_size = load<std::uint32_t>(last, kSize);
  const auto offset = load<std::uint64_t>(item, kOffset);
  const auto diff = static_cast<std::int64_t>(offset - last_offset);
  const auto diff32 = static_cast<std::int32_t>(diff);
  std::uint32_t kind = kRaw64;
  if (diff == diff32) {
    // The "after the last packet" case exactly as the decoder adds it (for a
    // packet size of 2^31 or more LASzip's test differs; such sizes are
    // coded as a difference here, which decodes to the same offset).
    kind = diff32 == 0 ? kSameOffset : offset == last_offset + last_size ? kAfterLast : kDiff32;
  }
  enc.encode_symbol(offset_kind_[last_kind_], kind);
  last_kind_ = kind;
  if (kind == kDiff32) {
    offset_diff_.encode(enc, last_diff_, diff32);
    last_diff_ = diff32;
  } else if (kind == kRaw64) {
    enc.write_int(static_cast<std::uint32_t>(offset & 0xFFFFFFFFu));
    enc.write_int(static_cast<std::uint32_t>(offset >> 32));
  }
  auto next = [&](IntegerEncoder& coder, int at, unsigned context) {
    coder.encode(enc, load<std::int32_t>(last, at), load<std::int32_t>(item, at), context);
  };
  next(size_, kSize, 0);
  next(location_, kLocation, 0);
  next(xyz_, kXt, 0);
  next(xyz_, kYt, 1);
  next(xyz_, kZt, 2);
}

void WavePacket13V1Decoder::start(const std::uint8_t* first) {
  coder_.reset();
  std::memcpy(last_, first, kWavePacketBytes);
}

void WavePacket13V1Decoder::decode(ArithmeticDecoder& dec, std::uint8_t* item) {
  coder_.decode(dec, last_, item);
  std::memcpy(last_, item, kWavePacketBytes);
}

void WavePacket13V1Encoder::start(const std::uint8_t* first) {
  coder_.reset();
  std::memcpy(last_, first, kWavePacketBytes);
}

void WavePacket13V1Encoder::encode(ArithmeticEncoder& enc, const std::uint8_t* item) {
  coder_.encode(enc, last_, item);
  std::memcpy(last_, item, kWavePacketBytes);
}

}  // namespace tessera::io::laz
