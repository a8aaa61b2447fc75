// `tessera tiles convert`: LAS <-> LAZ, chunks compressed (or decoded) on
// the ranks that own them.
#include <algorithm>
#include <cctype>
#include <cstring>

#include "tessera/core/atomic_file.hpp"
#include "tessera/core/collective.hpp"
#include "tessera/core/error.hpp"
#include "tessera/core/log.hpp"
#include "tessera/core/partition.hpp"
#include "tessera/core/perf.hpp"
#include "tessera/io/las_reader.hpp"
#include "tessera/io/las_writer.hpp"
#include "tessera/io/laz/laz_points.hpp"
#include "tessera/io/laz/laz_writer.hpp"
#include "tessera/tiles/steps.hpp"

namespace tessera::tiles {

namespace {

bool is_laz(const std::filesystem::path& p) {
  std::string ext = p.extension().string();
  std::transform(ext.begin(), ext.end(), ext.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return ext == ".laz";
}

/// [first, end) of the records this rank converts: whole chunks of the LAZ
/// written (`chunk` > 0) or read, else a block of records.
std::pair<std::uint64_t, std::uint64_t> my_records(const Comm& comm, const io::LasReader& r,
                                                   std::uint64_t chunk) {
  const std::uint64_t n = r.point_count();
  if (chunk > 0) {
    const auto units = static_cast<std::int64_t>((n + chunk - 1) / chunk);
    const BlockRange b = block_range(units, comm.size(), comm.rank());
    return {std::min(n, static_cast<std::uint64_t>(b.begin) * chunk),
            std::min(n, static_cast<std::uint64_t>(b.end) * chunk)};
  }
  return r.part(comm.size(), comm.rank());
}

}  // namespace

nlohmann::json run_convert(const Comm& comm, const ConvertOptions& o) {
  perf::Region region("convert");
  std::shared_ptr<io::LasReader> reader;
  run_phase(comm, "open " + o.in.filename().string(),
            [&] { reader = std::make_shared<io::LasReader>(o.in); });
  io::LasHeader header = reader->header();
  const bool to_laz = is_laz(o.out);
  io::laz::LaszipVlr vlr;
  if (to_laz)
    vlr = io::laz::vlr_for(header, o.chunk_size);  // the same verdict on every rank
  // The output header: the input's, its compression marks replaced.
  std::erase_if(header.vlrs, [](const io::LasVlr& v) {
    return v.is(io::laz::kLaszipUserId, io::laz::kLaszipRecordId);
  });
  header.format_byte = header.point_format;
  // EVLRs and waveform data held in the file (global encoding bit 1, at
  // waveform_start) are not carried over; the wave packet descriptors stay
  // in the records, and an external .wdp (bit 2) is still the file they
  // point into.
  header.evlr_count = 0;
  header.evlr_start = 0;
  header.global_encoding = static_cast<std::uint16_t>(header.global_encoding & ~0x2u);
  header.waveform_start = 0;
  const std::uint64_t las_bytes =
      io::las_points_offset(header) + header.point_count * header.record_length;
  if (to_laz)
    header = io::laz::laz_header(header, vlr);
  std::vector<std::uint8_t> head = io::las_encode_header(header);
  head[104] = header.format_byte;

  const auto [first, end] = my_records(comm, *reader, to_laz ? vlr.chunk_size : 0);
  std::vector<std::uint8_t> records;
  std::vector<std::vector<std::uint8_t>> chunks;
  run_phase(comm, "read " + o.in.filename().string(), [&] {
    perf::Region r("read");
    records = reader->read_records(first, end - first);
    if (to_laz) {
      perf::Region c("compress");
      chunks = io::laz::compress_chunks(vlr, records.data(), end - first);
      records = {};
    }
  });

  // Where this rank's bytes go: after the header (and the i64 of the chunk
  // table's offset) and the lower ranks' bytes.
  std::int64_t mine = 0;
  for (const auto& c : chunks)
    mine += static_cast<std::int64_t>(c.size());
  if (!to_laz)
    mine = static_cast<std::int64_t>(records.size());
  const std::vector<std::int64_t> sizes = comm.allgather(mine);
  std::int64_t before = 0, total = 0;
  for (int r = 0; r < comm.size(); ++r) {
    if (r < comm.rank())
      before += sizes[static_cast<std::size_t>(r)];
    total += sizes[static_cast<std::size_t>(r)];
  }
  const std::uint64_t data_start = head.size() + (to_laz ? 8 : 0);

  // LAZ: rank 0 needs every chunk's byte count for the table.
  std::vector<std::uint8_t> table;
  if (to_laz) {
    std::vector<std::int64_t> my_sizes;
    for (const auto& c : chunks)
      my_sizes.push_back(static_cast<std::int64_t>(c.size()));
    const std::vector<std::int64_t> all = comm.gatherv(my_sizes);
    if (comm.is_root()) {
      std::vector<io::laz::Chunk> entries(all.size());
      std::uint64_t at = data_start;
      for (std::size_t c = 0; c < entries.size(); ++c) {
        entries[c].first_point = c * std::uint64_t{vlr.chunk_size};
        entries[c].points =
            std::min<std::uint64_t>(vlr.chunk_size, header.point_count - entries[c].first_point);
        entries[c].offset = at;
        entries[c].bytes = static_cast<std::uint64_t>(all[c]);
        at += entries[c].bytes;
      }
      table = io::laz::encode_chunk_table(entries, false);
    }
  }

  CollectiveAtomicFile file(comm, o.out, o.clobber);
  bool ok = true;
  try {
    perf::Region w("write");
    io::LasRecordFile f(file.temp_path());
    if (comm.is_root()) {
      f.write_at(0, head.data(), head.size());
      if (to_laz) {
        const auto table_offset = static_cast<std::int64_t>(data_start) + total;
        std::uint8_t b[8];
        std::memcpy(b, &table_offset, 8);
        f.write_at(head.size(), b, 8);
        f.write_at(static_cast<std::uint64_t>(table_offset), table.data(), table.size());
      }
    }
    std::uint64_t at = data_start + static_cast<std::uint64_t>(before);
    if (to_laz) {
      for (const auto& c : chunks) {
        f.write_at(at, c.data(), c.size());
        at += c.size();
      }
    } else {
      f.write_at(at, records.data(), records.size());
    }
    perf::add_bytes_written(mine);
    f.close();
  } catch (const std::exception& e) {
    ok = false;
    log::error("{}", e.what());
  }
  const std::int64_t bytes =
      static_cast<std::int64_t>(data_start) + total + static_cast<std::int64_t>(table.size());
  // Every rank has closed its descriptor before rank 0 checks the length.
  comm.barrier();
  file.commit(ok, comm.is_root() ? bytes : 0);

  nlohmann::json j;
  if (comm.is_root()) {
    j["in"] = o.in.string();
    j["out"] = o.out.string();
    j["points"] = header.point_count;
    j["format"] = to_laz ? "LAZ" : "LAS";
    j["bytes_in"] = reader->file_size();
    j["bytes_out"] = bytes;
    if (to_laz) {
      j["chunk_size"] = vlr.chunk_size;
      j["compression_ratio"] = static_cast<double>(las_bytes) / static_cast<double>(bytes);
    }
  }
  return j;
}

}  // namespace tessera::tiles
