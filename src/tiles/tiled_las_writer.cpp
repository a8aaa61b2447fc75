// Tile-by-tile parallel LAS output; see include/tessera/tiles/tiled_las_writer.hpp.
#include "tessera/tiles/tiled_las_writer.hpp"

#include <algorithm>
#include <cctype>

#include "las_stats_reduce.hpp"
#include "tessera/core/collective.hpp"
#include "tessera/core/error.hpp"
#include "tessera/core/log.hpp"
#include "tessera/core/perf.hpp"
#include "tessera/io/laz/laz_writer.hpp"
#include "tessera/tiles/steps.hpp"

namespace tessera::tiles {

bool is_laz_output(const std::filesystem::path& out) {
  std::string ext = out.extension().string();
  std::transform(ext.begin(), ext.end(), ext.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return ext == ".laz";
}

std::filesystem::path laz_staging_path(const std::filesystem::path& out) {
  return out.parent_path() / (out.filename().string() + ".records.las");
}

void compress_staged_las(const Comm& comm, const std::filesystem::path& staged,
                         const std::filesystem::path& out, bool local_ok) {
  check_collective(
      comm, "write " + out.filename().string(),
      local_ok ? nullptr
               : std::make_exception_ptr(IoError("a rank failed writing its part", out.string())));
  ConvertOptions o;
  o.in = staged;
  o.out = out;
  o.clobber = true;  // the caller checked --clobber before any work
  run_convert(comm, o);
  comm.barrier();
}

TiledLasWriter::TiledLasWriter(const Comm& comm, std::filesystem::path out, io::LasHeader header,
                               std::vector<std::int64_t> local_counts, bool clobber)
    : comm_(comm), header_(std::move(header)), counts_(std::move(local_counts)) {
  std::vector<std::int64_t>& counts = counts_;
  comm_.allreduce(counts, ReduceOp::sum);
  first_.assign(counts.size() + 1, 0);
  for (std::size_t t = 0; t < counts.size(); ++t)
    first_[t + 1] = first_[t] + static_cast<std::uint64_t>(counts[t]);
  if (is_laz_output(out)) {
    // Refused before any work when LAZ cannot hold the format, and when the
    // output exists without --clobber.
    io::laz::vlr_for(header_);
    { CollectiveAtomicFile check(comm_, out, clobber); }
    laz_out_ = out;
    file_ = std::make_unique<CollectiveAtomicFile>(comm_, laz_staging_path(out), true);
  } else {
    file_ = std::make_unique<CollectiveAtomicFile>(comm_, std::move(out), clobber);
  }
  try {
    records_ = std::make_unique<io::LasRecordFile>(file_->temp_path());
  } catch (const std::exception& e) {
    ok_ = false;
    log::error("{}", e.what());
  }
}

TiledLasWriter::~TiledLasWriter() = default;

void TiledLasWriter::write_tile(int tile, const std::vector<std::uint8_t>& records) {
  if (!ok_)
    return;
  perf::Region region("write");
  try {
    const auto t = static_cast<std::size_t>(tile);
    const std::uint64_t n = records.size() / header_.record_length;
    if (t >= counts_.size() || static_cast<std::int64_t>(n) != counts_[t]) {
      throw ParallelError("tile " + std::to_string(tile) + " has " + std::to_string(n) +
                          " output records, " +
                          std::to_string(t < counts_.size() ? counts_[t] : 0) + " were announced");
    }
    if (n == 0)
      return;
    records_->write_records(header_, first_[t], n, records.data());
    io::LasPointLayout layout(header_.point_format, header_.record_length);
    stats_.add_records(layout, records.data(), n);
    perf::add_bytes_written(static_cast<std::int64_t>(records.size()));
  } catch (const std::exception& e) {
    ok_ = false;
    log::error("{}: {}", file_->final_path().string(), e.what());
  }
}

void TiledLasWriter::finish() {
  perf::Region region("write");
  // The header's statistics merge exactly (integer counts, min, max), so
  // they do not depend on how tiles were spread over ranks and rounds.
  const io::LasRecordStats all = detail::reduce_las_stats(comm_, stats_);
  // Every announced record must have been written by some rank: a tile left
  // out would leave a hole of zero bytes that looks like a valid record.
  if (all.count != first_.back()) {
    if (ok_ && comm_.is_root()) {
      log::error("{}: {} of {} records were written", file_->final_path().string(), all.count,
                 first_.back());
    }
    ok_ = false;
  }
  all.apply_to(header_);
  if (ok_) {
    try {
      if (comm_.is_root())
        records_->write_header(header_);
      records_->close();
    } catch (const std::exception& e) {
      ok_ = false;
      log::error("{}", e.what());
    }
  }
  records_.reset();
  if (laz_out_.empty()) {
    file_->commit(ok_);
    return;
  }
  // LAZ: every rank's records are in the staged LAS; compress it into the
  // final name (atomic), then drop the staged file.
  compress_staged_las(comm_, file_->temp_path(), laz_out_, ok_);
  file_.reset();  // removes the staged LAS (rank 0)
}

io::LasHeader output_header(const io::LasHeader& like,
                            const std::vector<io::LasExtraBytes>& extra) {
  io::LasHeader h;
  h.version_major = 1;
  h.version_minor = 4;
  h.point_format = h.format_byte = 6;
  int extra_size = 0;
  for (const auto& e : extra)
    extra_size += e.size();
  h.record_length = static_cast<std::uint16_t>(30 + extra_size);
  h.scale = like.scale;
  h.offset = like.offset;
  h.file_source_id = like.file_source_id;
  h.vlrs = like.crs_vlrs();
  for (const auto& v : h.vlrs) {
    if (v.record_id == 2112)
      h.global_encoding |= 0x10;  // CRS given as WKT
  }
  if (!extra.empty())
    h.vlrs.push_back(io::las_extra_bytes_vlr(extra));
  return h;
}

void write_block_las(const Comm& comm, const std::filesystem::path& out, io::LasHeader header,
                     std::uint64_t count, const FillRecords& fill, bool clobber) {
  perf::Region region("write");
  const std::uint64_t before =
      static_cast<std::uint64_t>(comm.exscan_sum(static_cast<std::int64_t>(count)));
  // A LAZ input's laszip VLR (align keeps B's VLRs) describes that file's
  // compression, not this one's: a LAS output holding it would read as LAZ.
  std::erase_if(header.vlrs, [](const io::LasVlr& v) {
    return v.is(io::laz::kLaszipUserId, io::laz::kLaszipRecordId);
  });
  header.format_byte = header.point_format;
  // LAZ output: staged as LAS beside it, then compressed (tiled_las_writer.hpp).
  const bool laz = is_laz_output(out);
  if (laz) {
    io::laz::vlr_for(header);  // a format LAZ cannot hold: UsageError on every rank
    CollectiveAtomicFile check(comm, out, clobber);
  }
  CollectiveAtomicFile file(comm, laz ? laz_staging_path(out) : out, laz || clobber);
  const std::size_t len = header.record_length;
  const io::LasPointLayout layout(header.point_format, header.record_length);
  std::unique_ptr<io::LasRecordFile> f;
  io::LasRecordStats stats;
  std::exception_ptr error;
  capture_error(error, [&] {
    f = std::make_unique<io::LasRecordFile>(file.temp_path());
    // 64 Ki records a chunk: a few MB, written as they are filled.
    constexpr std::uint64_t kChunk = 1 << 16;
    std::vector<std::uint8_t> buf;
    for (std::uint64_t at = 0; at < count; at += kChunk) {
      const std::uint64_t m = std::min(kChunk, count - at);
      buf.resize(m * len);
      fill(at, m, buf.data());
      stats.add_records(layout, buf.data(), m);
      f->write_records(header, before + at, m, buf.data());
      perf::add_bytes_written(static_cast<std::int64_t>(buf.size()));
    }
  });
  // The header needs every rank's statistics: agreed before it is written.
  if (!comm.allreduce_or(error != nullptr)) {
    detail::reduce_las_stats(comm, stats).apply_to(header);
    capture_error(error, [&] {
      if (comm.is_root())
        f->write_header(header);
      f->close();
    });
  }
  f.reset();
  // A rank's own error is thrown on that rank (its message and exit code);
  // the others learn of it from commit.
  if (error != nullptr) {
    try {
      file.commit(false);
    } catch (const std::exception&) {
    }
    std::rethrow_exception(error);
  }
  if (laz)
    compress_staged_las(comm, file.temp_path(), out, true);
  else
    file.commit(true);
}

void write_block_las(const Comm& comm, const std::filesystem::path& out, io::LasHeader header,
                     const std::vector<std::uint8_t>& records, bool clobber) {
  const std::size_t len = header.record_length;
  write_block_las(
      comm, out, std::move(header), records.size() / len,
      [&](std::uint64_t at, std::uint64_t n, std::uint8_t* dst) {
        std::copy_n(records.data() + at * len, n * len, dst);
      },
      clobber);
}

}  // namespace tessera::tiles
