// Storage of the command and demo-stage registries (function-local statics:
// registrars in other files run during static initialisation, in any order).
#include "command.hpp"

namespace tessera::driver {

namespace {
std::vector<Command>& command_store() {
  static std::vector<Command> store;
  return store;
}
std::vector<DemoStage>& stage_store() {
  static std::vector<DemoStage> store;
  return store;
}
}  // namespace

void register_command(Command command) {
  command_store().push_back(std::move(command));
}
const std::vector<Command>& commands() {
  return command_store();
}
void register_demo_stage(DemoStage stage) {
  stage_store().push_back(std::move(stage));
}
const std::vector<DemoStage>& demo_stages() {
  return stage_store();
}

}  // namespace tessera::driver
