// io::MsWriter: the executable's side of the Measurement Set writer. Every
// call goes to the casacore module (io/ms_module.hpp), whose Result becomes
// the IoError/FormatError naming the MS path.
#include "tessera/io/ms_writer.hpp"

#include "ms_module.hpp"
#include "tessera/core/error.hpp"

namespace tessera::io {

namespace {

void raise(const ms_module::Result& r, const std::filesystem::path& path) {
  switch (r.status) {
    case ms_module::Status::kOk:
      return;
    case ms_module::Status::kFormatError:
      throw FormatError(r.message, path.string(), r.object);
    case ms_module::Status::kIoError:
      break;
  }
  throw IoError(r.message.empty() ? "Measurement Set module failed" : r.message, path.string(),
                r.object);
}

}  // namespace

struct MsWriter::Impl {
  const ms_module::Api* api = nullptr;
  ms_module::Writer* writer = nullptr;
  ~Impl() {
    if (writer != nullptr)
      api->destroy(writer);
  }
};

MsWriter::MsWriter(const std::filesystem::path& path, const Uvh5Output& header,
                   std::uint64_t stripe_freqs)
    : path_(path) {
  impl_ = std::make_unique<Impl>();
  impl_->api = &ms_module::api(path.string());
  ms_module::Result r;
  impl_->writer = impl_->api->create(path.c_str(), header, stripe_freqs, r);
  if (impl_->writer == nullptr && r.status == ms_module::Status::kOk)
    r.status = ms_module::Status::kIoError;
  raise(r, path_);
}

MsWriter::~MsWriter() = default;

void MsWriter::write_channels(std::uint64_t first, std::uint64_t nchan, std::complex<float>* vis,
                              const std::uint8_t* flags) {
  if (!impl_)
    throw IoError("Measurement Set already closed", path_.string());
  ms_module::Result r;
  impl_->api->write_channels(impl_->writer, first, nchan, vis, flags, r);
  raise(r, path_);
}

void MsWriter::close() {
  if (!impl_)
    return;
  ms_module::Result r;
  impl_->api->close(impl_->writer, r);
  impl_.reset();  // unusable afterwards, whether or not the flush succeeded
  raise(r, path_);
}

}  // namespace tessera::io
