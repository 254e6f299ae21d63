// rokso remap: reverse-engineers an existing database into migrations.
// Not in this build yet: it parses its flags and says so plainly (exit 1), rather than
// pretending to work.
#include "core/command.hpp"
#include "core/error.hpp"

namespace {

int remap(rokso::Session& session) {
  session.project();  // outside a project this is still the first thing to fix
  throw rokso::failure("remap is not available in this version of rokso yet");
}

}  // namespace

int main(int argc, char** argv) {
  rokso::CommandDefinition command;
  command.name = "remap";
  command.synopsis = "[--schemas <a|all|schema,schema...>]";
  command.options.add_options()
      ("schemas", rokso::po::value<std::string>()->value_name("<list>"),
       "schemas to reverse-engineer: a comma-separated list, or a/all");
  command.run = remap;
  return rokso::run_command(argc, argv, command);
}
