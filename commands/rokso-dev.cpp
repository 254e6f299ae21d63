// rokso dev: the project's own throwaway PostgreSQL (core/dev_server.hpp):
// start, stop, status, url, psql, reset.
#include "core/command.hpp"
#include "core/dev_server.hpp"
#include "core/error.hpp"
#include "core/output.hpp"

#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <vector>

namespace {

// What follows `psql` on the command line goes to psql untouched.
std::vector<std::string> g_psql_args;

std::string not_running_hint() { return "the dev server is not running; start it with 'rokso dev start'"; }

// The dev server moved to another port: a config.json that pointed at the old one
// (as `rokso init --dev` writes it) follows it.
void follow_port(rokso::Session& session, const rokso::DevServer& dev, int old_port) {
  const rokso::DatabaseSettings& s = session.project().config.database;
  if (s.host != std::optional<std::string>("127.0.0.1") || s.port != std::optional<std::string>(std::to_string(old_port)) ||
      s.user != std::optional<std::string>(rokso::kDevUser) ||
      !rokso::set_config_port(session.project().config_file(), old_port, dev.port())) {
    rokso::out::warning("port " + std::to_string(old_port) + " was taken, so the dev server now listens on " +
                        std::to_string(dev.port()));
    return;
  }
  rokso::out::warning("port " + std::to_string(old_port) + " was taken, so the dev server now listens on " +
                      std::to_string(dev.port()) + "; config.json follows it");
}

int dev(rokso::Session& session) {
  if (!session.has("action")) throw rokso::usage_error("say what to do: rokso dev start|stop|status|url|psql|reset");
  const std::string action = session.get<std::string>("action");
  rokso::DevServer server(session.project().root);
  if (action == "start") {
    int moved_from = 0;
    if (!server.start(&moved_from)) {
      rokso::out::line("dev server already running: " + server.url());
      return rokso::kExitOk;
    }
    if (moved_from) follow_port(session, server, moved_from);
    rokso::out::line("dev server started: " + server.url());
    rokso::out::line("(data in " + server.dir().string() + "; stop it with 'rokso dev stop')");
    return rokso::kExitOk;
  }
  if (action == "stop") {
    rokso::out::line(server.stop() ? "dev server stopped" : "dev server is not running");
    return rokso::kExitOk;
  }
  if (action == "status") {
    if (!server.exists()) {
      rokso::out::line("no dev server yet (make and start one with 'rokso dev start')");
    } else if (const auto pid = server.running_pid()) {
      rokso::out::line("dev server running (pid " + std::to_string(*pid) + "): " + server.url());
    } else {
      rokso::out::line("dev server stopped (data in " + server.dir().string() + ")");
    }
    return rokso::kExitOk;
  }
  if (action == "url") {
    if (!server.exists() || !server.running_pid()) throw rokso::failure(not_running_hint());
    rokso::out::line(server.url());
    return rokso::kExitOk;
  }
  if (action == "reset") {
    if (!server.exists() || !server.running_pid()) throw rokso::failure(not_running_hint());
    server.reset();
    rokso::out::line("dev database '" + std::string(rokso::kDevDatabase) + "' dropped and created empty");
    return rokso::kExitOk;
  }
  if (action == "psql") {
    if (!server.exists() || !server.running_pid()) throw rokso::failure(not_running_hint());
    const std::string psql = server.psql();
    std::vector<std::string> args = {psql, server.url()};
    args.insert(args.end(), g_psql_args.begin(), g_psql_args.end());
    std::vector<char*> argv;
    for (std::string& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    ::execvp(psql.c_str(), argv.data());
    throw rokso::failure("cannot run " + psql + ": " + std::strerror(errno));
  }
  throw rokso::usage_error("unknown dev action '" + action + "' (start, stop, status, url, psql or reset)");
}

}  // namespace

int main(int argc, char** argv) {
  // `rokso dev psql -c 'SELECT 1'`: everything after psql is psql's.
  for (int i = 1; i < argc; ++i) {
    if (std::string(argv[i]) != "psql") continue;
    g_psql_args.assign(argv + i + 1, argv + argc);
    argc = i + 1;
    break;
  }
  rokso::CommandDefinition command;
  command.name = "dev";
  command.synopsis = "start|stop|status|url|psql [<psql arguments>]|reset";
  command.options.add_options()
      ("action", rokso::po::value<std::string>()->value_name("<action>"), "start, stop, status, url, psql or reset");
  command.positional.add("action", 1);
  command.run = dev;
  return rokso::run_command(argc, argv, command);
}
