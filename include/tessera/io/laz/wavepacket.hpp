// LAZ wave packets: the 29-byte wave packet descriptor that closes the
// standard record of point formats 4, 5, 9 and 10 (LAS 1.4 R15, Table 13:
// u8 descriptor index, u64 byte offset to the waveform data, u32 packet
// size in bytes, f32 return point location, f32 x(t), y(t), z(t)).
//
// One packet is coded against the last one (LASzip specification, items
// WAVEPACKET13 version 1 and WAVEPACKET14 version 3, the same coder):
//   the descriptor index, a symbol of 256 (its value, not a difference);
//   how the offset follows, a symbol of 4 in the context of the previous
//   such symbol: 0 the same offset, 1 the last offset plus the last
//   packet size (packets stored one after the other), 2 the last offset
//   plus a 32-bit difference (coded against the last such difference),
//   3 the offset raw (64 bits, when the difference needs more than 32);
//   the packet size, the return point location and x(t), y(t), z(t)
//   (floats by their bits as int32) each against the last, by the integer
//   coder of 32 bits (x, y, z in three contexts of one coder).
//
// WAVEPACKET13 v1 is the item of compressor 2 (formats 4 and 5); the
// layered WAVEPACKET14 v3 (formats 9 and 10) is wavepacket14_v3.hpp.
#pragma once

#include <cstddef>
#include <cstdint>

#include "tessera/io/laz/integer_decoder.hpp"
#include "tessera/io/laz/integer_encoder.hpp"
#include "tessera/io/laz/item_decoder.hpp"
#include "tessera/io/laz/item_encoder.hpp"

namespace tessera::io::laz {

inline constexpr std::size_t kWavePacketBytes = 29;

/// The coder's state of one run of packets (a chunk, or for WAVEPACKET14 a
/// scanner channel of a chunk): its models, the last offset difference and
/// the last offset symbol. `last` is passed apart, as WAVEPACKET14's
/// channel switch may predict from another context's last packet.
class WavePacketDecoding {
 public:
  WavePacketDecoding();
  /// The state at the start of a chunk (or of a context).
  void reset();
  /// The packet after `last` (29 bytes each) into `item`.
  void decode(ArithmeticDecoder& dec, const std::uint8_t* last, std::uint8_t* item);

 private:
  SymbolModel index_;
  SymbolModel offset_kind_[4];
  IntegerDecoder offset_diff_, size_, location_, xyz_;
  std::int32_t last_diff_ = 0;
  std::uint32_t last_kind_ = 0;
};

class WavePacketEncoding {
 public:
  WavePacketEncoding();
  void reset();
  void encode(ArithmeticEncoder& enc, const std::uint8_t* last, const std::uint8_t* item);

 private:
  SymbolModel index_;
  SymbolModel offset_kind_[4];
  IntegerEncoder offset_diff_, size_, location_, xyz_;
  std::int32_t last_diff_ = 0;
  std::uint32_t last_kind_ = 0;
};

/// Item WAVEPACKET13 version 1 (compressor 2).
class WavePacket13V1Decoder final : public ItemDecoder {
 public:
  void start(const std::uint8_t* first) override;
  void decode(ArithmeticDecoder& dec, std::uint8_t* item) override;

 private:
  WavePacketDecoding coder_;
  std::uint8_t last_[kWavePacketBytes] = {};
};

class WavePacket13V1Encoder final : public ItemEncoder {
 public:
  void start(const std::uint8_t* first) override;
  void encode(ArithmeticEncoder& enc, const std::uint8_t* item) override;

 private:
  WavePacketEncoding coder_;
  std::uint8_t last_[kWavePacketBytes] = {};
};

}  // namespace tessera::io::laz
