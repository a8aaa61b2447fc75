// Fuzz targets of the subband pipeline: `uvh5_header` (`subband validate`),
// `uvh5` (header and data arrays, as convert reads them) and `sqlite_queue`
// (the stream daemon's queue database).
#include <hdf5.h>

#include <fstream>

#include "targets.hpp"
#include "tessera/io/uvh5_reader.hpp"
#include "tessera/subband/stream_queue.hpp"

namespace tessera::fuzz {
namespace {

// What `subband validate` and the stream daemon read: the quick check, then
// the header.
void read_uvh5_header(const std::filesystem::path& path) {
  (void)io::quick_check_uvh5(path);
  (void)io::read_uvh5_header(path);
}

// What convert reads: the header, then the data arrays.
void read_uvh5(const std::filesystem::path& path) {
  const io::Uvh5Header h = io::read_uvh5_header(path);
  io::Uvh5Data data;
  io::read_uvh5_data(path, h, data);
}

// The queue as the daemon drives it at start-up: open (schema, in_progress
// groups back to pending), scan a watch folder with one new file, take the
// next group and record it failed, count the open groups.
void read_queue(const std::filesystem::path& path) {
  const std::filesystem::path dir = path.parent_path() / "queue-watch";
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  // Not UVH5: fails the quick check and is recorded as invalid.
  std::ofstream(dir / "2022-06-01T03:00:00_sb00.hdf5") << "not hdf5";
  subband::StreamOptions o;
  o.state = path;
  o.watch = dir;
  o.out = dir;
  o.partial_timeout = 0;  // settle every collecting group now
  o.partial_policy = "convert";
  subband::StreamQueue q(o);
  q.scan();
  bool partial = false;
  const subband::SubbandGroup g = q.next(partial);
  if (!g.stamp.empty())
    q.failed(g.stamp, "fuzz", false);
  (void)q.open_groups();
}

// The pyuvdata files are header seeds only: their flags are compressed with
// a filter (LZF) that Debian's HDF5 does not have.
const TargetRegistrar kUvh5Header{Target{
    "uvh5_header",
    ".uvh5",
    FormatTraits{},
    {test_data("fuzz/seeds/uvh5/tiny_sb00.hdf5"), test_data("pyuvdata/zen.2458661.23480.HH.uvh5"),
     test_data("pyuvdata/ata.LoA.C0352.3c286.uvh5")},
    read_uvh5_header,
    [] { H5open(); }}};

const TargetRegistrar kUvh5{Target{
    "uvh5", ".uvh5", FormatTraits{}, {test_data("fuzz/seeds/uvh5/tiny_sb00.hdf5")}, read_uvh5, [] {
      H5open();
    }}};

const TargetRegistrar kQueue{Target{"sqlite_queue",
                                    ".sqlite",
                                    FormatTraits{},
                                    {test_data("fuzz/seeds/sqlite_queue/state.sqlite")},
                                    read_queue}};

}  // namespace
}  // namespace tessera::fuzz
