#include "tessera/core/error.hpp"

#include <cstring>

namespace tessera {

namespace {
std::string compose(const std::string& message, const std::string& file,
                    const std::string& object) {
  std::string out;
  if (!file.empty())
    out += file + ": ";
  if (!object.empty())
    out += object + ": ";
  out += message;
  return out;
}
}  // namespace

Error::Error(const std::string& message, std::string file, std::string object)
    : std::runtime_error(compose(message, file, object)),
      message_(message),
      file_(std::move(file)),
      object_(std::move(object)) {}

ExitCode exit_code_of(const std::exception& e) noexcept {
  if (const auto* te = dynamic_cast<const Error*>(&e))
    return te->exit_code();
  return ExitCode::kFatalIo;
}

std::string errno_message(int err) {
  char buf[256];
  // GNU strerror_r may return a static string instead of filling buf.
  const char* text = strerror_r(err, buf, sizeof buf);
  return text;
}

}  // namespace tessera
