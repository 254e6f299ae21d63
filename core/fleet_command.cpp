#include "core/fleet_command.hpp"

#include "core/error.hpp"
#include "core/fleet_runner.hpp"
#include "core/output.hpp"
#include "core/tenants.hpp"
#include "core/text_table.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <csignal>
#include <cstdio>

namespace rokso {

namespace {

using json = nlohmann::ordered_json;

constexpr int kMaxJobs = 64;

// What one member's own JSON document says: how many migrations were applied, failed
// and are left pending (-1: unknown, e.g. the child stopped before printing it).
struct Counts {
  long long applied = -1;
  long long failed = -1;
  long long pending = -1;
  std::string revision;
};

Counts counts_of(const std::string& command, const json& doc) {
  Counts c;
  if (!doc.is_object()) return c;
  if (command == "verify") {
    c.applied = doc.value("verified", -1LL);
    c.failed = doc.value("failed", -1LL);
    c.pending = doc.value("not_verified", -1LL);
    return c;
  }
  if (command == "status") {
    const json counts = doc.value("counts", json::object());
    c.applied = counts.value("applied", -1LL);
    c.failed = counts.value("failed", -1LL);
    c.pending = counts.value("pending", -1LL);
    return c;
  }
  // migrate: this run's files by result.
  c.applied = c.failed = c.pending = 0;
  for (const json& file : doc.value("files", json::array())) {
    const std::string result = file.value("result", "");
    if (result == "applied") ++c.applied;
    else if (result == "failed") ++c.failed;
    else ++c.pending;
  }
  if (doc.contains("revision") && doc["revision"].is_string()) c.revision = doc["revision"].get<std::string>();
  return c;
}

json parse_output(const std::string& output) {
  try {
    return json::parse(output);
  } catch (const json::exception&) {
    return json(nullptr);
  }
}

std::string number(long long n) { return n < 0 ? "-" : std::to_string(n); }

std::string seconds(long long ms) {
  if (ms < 0) return "-";
  char text[32];
  std::snprintf(text, sizeof text, "%.1f s", static_cast<double>(ms) / 1000.0);
  return text;
}

// What the three counts are called in the summary's table and JSON: verify's are
// migrations verified, failing and not verified, the others' applied, failed, pending.
struct CountNames {
  const char* applied;
  const char* failed;
  const char* pending;
};
CountNames count_names(const std::string& command) {
  if (command == "verify") return {"verified", "failed", "not_verified"};
  return {"applied", "failed", "pending"};
}

// One line as a member ends, so a long fleet shows progress.
std::string end_line(const std::string& command, const FleetResult& r, const Counts& c) {
  std::string text = "[" + r.name + "] ";
  if (r.state == FleetResult::State::succeeded) {
    if (command == "verify") {
      text += "verified " + number(c.applied) + " migration(s)";
    } else if (command == "migrate") {
      text += c.applied > 0 ? "migrated: " + std::to_string(c.applied) + " applied, revision " + c.revision
                            : std::string("nothing to migrate");
    } else {
      text += c.pending > 0 || c.failed > 0 ? number(c.pending) + " pending, " + number(c.failed) + " failed"
                                            : std::string("up to date");
    }
  } else {
    text += std::string(fleet_state_name(r.state)) + " (exit " + std::to_string(r.exit_code) + ")";
  }
  return text + " (" + seconds(r.duration_ms) + ")";
}

int jobs_option(const po::variables_map& vm, std::size_t members) {
  if (!vm.count("jobs")) return static_cast<int>(std::max<std::size_t>(1, std::min<std::size_t>(members, 4)));
  const int jobs = vm["jobs"].as<int>();
  if (jobs < 1 || jobs > kMaxJobs) throw usage_error("--jobs must be from 1 to " + std::to_string(kMaxJobs));
  return jobs;
}

// The options of one tenant's run: this command line's, with --tenant and --format json.
po::variables_map tenant_options(const po::variables_map& fleet_options, const std::string& tenant) {
  po::variables_map options = fleet_options;
  options.erase("tenant");
  options.erase("format");
  options.emplace("tenant", po::variable_value(tenant, false));
  options.emplace("format", po::variable_value(std::string("json"), false));
  return options;
}

}  // namespace

void add_fleet_options(po::options_description& options) {
  options.add_options()
      ("targets", po::value<std::string>()->value_name("<glob>"),
       "run on every target of config.json whose name matches, e.g. 'eu-*', in parallel")
      ("all-targets", "run on every target of config.json, in parallel")
      ("jobs", po::value<int>()->value_name("<n>"), "targets run at once (default: 4, or fewer targets)")
      ("keep-going", "start the remaining targets after one failed (default: stop starting new ones)")
      ("canary", po::value<int>()->value_name("<k>"),
       "run the first <k> targets first; if any of them fails, do not start the others")
      ("tenants", po::value<std::string>()->value_name("<glob>"),
       "run on every tenant schema of config.json's \"tenants\" whose name matches, in parallel")
      ("all-tenants", "run on every tenant schema of config.json's \"tenants\", in parallel");
}

bool is_fleet_option(const std::string& long_name) {
  return long_name == "targets" || long_name == "all-targets" || long_name == "tenants" || long_name == "all-tenants" ||
         long_name == "jobs" || long_name == "keep-going" || long_name == "canary" || long_name == "format";
}

bool wants_fleet(const po::variables_map& vm) {
  const bool targets = vm.count("targets") || vm.count("all-targets");
  const bool tenants = vm.count("tenants") || vm.count("all-tenants");
  if (vm.count("targets") && vm.count("all-targets")) throw usage_error("--targets and --all-targets exclude each other");
  if (vm.count("tenants") && vm.count("all-tenants")) throw usage_error("--tenants and --all-tenants exclude each other");
  if (targets && tenants) throw usage_error("a fleet runs over targets or over tenants, not both at once");
  if (targets && vm.count("target")) throw usage_error("--target and --targets/--all-targets exclude each other");
  if (tenants && vm.count("tenant")) throw usage_error("--tenant and --tenants/--all-tenants exclude each other");
  if (!targets && !tenants) {
    for (const char* option : {"jobs", "keep-going", "canary"}) {
      if (vm.count(option)) {
        throw usage_error(std::string("--") + option + " needs --targets, --all-targets, --tenants or --all-tenants");
      }
    }
  }
  return targets || tenants;
}

int run_fleet_command(const CommandDefinition& definition, Session& session, const std::vector<std::string>& child_args) {
  const std::string& command = definition.name;
  const po::variables_map& vm = session.options();
  const std::string format = session.json() ? "json" : "text";  // checked by run_command()
  // The targets come from config.json as it is: the parent connects nowhere, so
  // $ROKSO_TARGET and the targets' variables are each child's business.
  const bool over_tenants = vm.count("tenants") || vm.count("all-tenants");
  // verify makes a throwaway database on each target's server; a tenant is a schema of
  // one database, whose template verify proves once, on one server.
  if (over_tenants && command == "verify") throw usage_error("verify runs over --targets, not --tenants");
  const std::string kind = over_tenants ? "tenant" : "target";
  std::vector<std::string> names;
  if (over_tenants) {
    // Listed on the database (the default, or --target's) this process connects to.
    const Project& project = session.project();
    std::vector<std::string> all = list_tenants(session.database(), project.config.tenants, project.config_file().string());
    if (vm.count("tenants")) {
      const std::string pattern = vm["tenants"].as<std::string>();
      for (const std::string& name : all) {
        if (matches_glob(pattern, name)) names.push_back(name);
      }
    } else {
      names = std::move(all);
    }
    if (names.empty()) {
      // Not an error: a fleet with no tenant yet has nothing to do.
      if (format == "json") {
        print_json_document(command, {{"fleet", "tenants"},
                                      {"outcome", "succeeded"},
                                      {"counts", {{"tenants", 0}}},
                                      {"tenants", json::array()}});
      } else {
        out::line("No tenant schema found.");
      }
      return kExitOk;
    }
  } else {
    // The targets come from config.json as it is: the parent connects nowhere, so
    // $ROKSO_TARGET and the targets' variables are each child's business.
    const Project project = find_project(session.start_dir());
    const Config& config = project.config;
    if (vm.count("all-targets")) {
      for (const auto& target : config.targets) names.push_back(target.first);
      if (names.empty()) throw usage_error(project.config_file().string() + " defines no \"targets\"");
    } else {
      const std::string pattern = vm["targets"].as<std::string>();
      if (pattern.empty()) throw usage_error("--targets needs a pattern, e.g. 'eu-*'");
      names = matching_targets(config, pattern);
      if (names.empty()) {
        std::string known;
        for (const auto& target : config.targets) known += (known.empty() ? "" : ", ") + target.first;
        throw usage_error("no target matches '" + pattern + "' (known: " + (known.empty() ? "none" : known) + ")");
      }
    }
  }
  FleetOptions options;
  options.jobs = jobs_option(vm, names.size());
  options.keep_going = vm.count("keep-going") > 0;
  if (vm.count("canary")) {
    options.canary = vm["canary"].as<int>();
    if (options.canary < 1) throw usage_error("--canary must be at least 1");
  }
  std::vector<FleetMember> members;
  for (const std::string& name : names) members.push_back({name, {"--" + kind, name, "--format", "json"}});

  const bool as_json = format == "json";
  if (as_json) out::set_quiet(true);
  const auto on_end = [&command, as_json](const FleetResult& r) {
    // Also called on worker threads, whose quiet setting is not this thread's.
    if (!as_json) out::line(end_line(command, r, counts_of(command, parse_output(r.output))));
  };
  FleetRun run;
  if (over_tenants) {
    // One database, one tree: threads of this process, which read the project, plugins
    // and tree once and keep their connections from one tenant to the next.
    const SharedSetup shared = session.shared_setup();
    const auto run_tenant = [&](std::size_t i, std::unique_ptr<Database>& connection) {
      Session tenant(tenant_options(vm, names[i]), command, session.setup(), shared, connection);
      // --format json, as run_command() sets it up, for this thread's output alone.
      out::set_verbose(false);
      out::set_quiet(true);
      return definition.run(tenant);
    };
    run = run_fleet_in_threads(members, options, run_tenant, nullptr, on_end);
  } else {
    run = run_fleet(own_executable(), child_args, members, options, nullptr, on_end);
  }

  std::size_t failed = 0, succeeded = 0, skipped = 0, interrupted = 0;
  const CountNames names_of = count_names(command);
  auto header = [](std::string name) {
    std::replace(name.begin(), name.end(), '_', ' ');
    return name;
  };
  TextTable table({kind, "state", header(names_of.applied), header(names_of.failed), header(names_of.pending), "time"});
  std::size_t up_to_date = 0, behind = 0, broken = 0;  // by state of their migrations
  json targets = json::array();
  for (const FleetResult& r : run.results) {
    const json doc = parse_output(r.output);
    const Counts c = counts_of(command, doc);
    switch (r.state) {
      case FleetResult::State::succeeded: ++succeeded; break;
      case FleetResult::State::failed: ++failed; break;
      case FleetResult::State::skipped: ++skipped; break;
      case FleetResult::State::interrupted: ++interrupted; break;
    }
    if (r.state == FleetResult::State::succeeded && c.failed == 0 && c.pending == 0) ++up_to_date;
    if (r.state == FleetResult::State::succeeded && c.failed <= 0 && c.pending > 0) ++behind;
    if (r.state == FleetResult::State::failed || c.failed > 0) ++broken;
    table.add_row({r.name, fleet_state_name(r.state), number(c.applied), number(c.failed), number(c.pending),
                   seconds(r.duration_ms)});
    auto count = [](long long n) { return n < 0 ? json(nullptr) : json(n); };
    targets.push_back({{kind, r.name},
                       {"state", fleet_state_name(r.state)},
                       {"exit_code", r.exit_code < 0 ? json(nullptr) : json(r.exit_code)},
                       {names_of.applied, count(c.applied)},
                       {names_of.failed, count(c.failed)},
                       {names_of.pending, count(c.pending)},
                       {"duration_ms", r.duration_ms < 0 ? json(nullptr) : json(r.duration_ms)},
                       {"errors", r.error_lines},
                       {"result", doc}});
  }
  const std::string outcome = run.signal ? "interrupted" : failed ? "failed" : "succeeded";
  if (as_json) {
    json doc = {{"fleet", kind + "s"},
                {"outcome", outcome},
                {"counts", {{kind + "s", run.results.size()},
                            {"succeeded", succeeded},
                            {"failed", failed},
                            {"skipped", skipped},
                            {"interrupted", interrupted}}},
                {kind + "s", targets}};
    print_json_document(command, doc);
  } else {
    std::string summary = table.render();
    summary += std::to_string(run.results.size()) + " " + kind + "s: " + std::to_string(succeeded) + " succeeded, " +
               std::to_string(failed) + " failed, " + std::to_string(skipped) + " skipped";
    if (interrupted) summary += ", " + std::to_string(interrupted) + " interrupted";
    if (command == "status") {
      summary += "\n" + std::to_string(up_to_date) + " up to date, " + std::to_string(behind) + " pending, " +
                 std::to_string(broken) + " failed";
    }
    out::line("\n" + summary);
  }
  if (run.signal == SIGINT) return kExitInterrupted;
  if (run.signal) return 143;
  if (failed) {
    out::error(std::to_string(failed) + " of " + std::to_string(run.results.size()) + " " + kind + "s failed" +
               (skipped ? "; " + std::to_string(skipped) + " not started" : ""));
    return kExitFailed;
  }
  return kExitOk;
}

}  // namespace rokso
