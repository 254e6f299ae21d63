// rokso verify: proves on a throwaway database that every migration applies, rolls
// back to exactly the schema before it, and applies again to the same schema
// (core/migration_verifier.hpp). Exit 1 when any does not.
#include "core/command.hpp"
#include "core/error.hpp"
#include "core/migration_verifier.hpp"
#include "core/output.hpp"
#include "core/project_plugins.hpp"
#include "core/text_util.hpp"
#include "core/throwaway_database.hpp"

namespace {

using json = rokso::Json;

json changes_json(const std::vector<rokso::SchemaChange>& changes) {
  json out = json::array();
  for (const rokso::SchemaChange& c : changes) {
    out.push_back({{"change", rokso::change_name(c.type)},
                   {"kind", c.object().kind},
                   {"object", c.object().name},
                   {"before", c.type == rokso::SchemaChange::Type::added ? json(nullptr) : json(c.before.definition)},
                   {"after", c.type == rokso::SchemaChange::Type::removed ? json(nullptr) : json(c.after.definition)}});
  }
  return out;
}

void print_text(const rokso::VerifyResult& r) {
  const std::string identity = rokso::escape_for_display(r.migration->file->identity);
  if (r.result == "passed") {
    rokso::out::line("✔ " + identity);
  } else if (r.result == "applied") {
    rokso::out::line("· " + identity + " (applied, not verified: before --from)");
  } else if (r.result == "not_verified") {
    rokso::out::line("? " + identity + " (not verified: an earlier migration failed)");
  } else {
    rokso::out::line("✘ " + identity);
    for (const rokso::VerifyProblem& p : r.problems) {
      rokso::out::line("    " + p.message);
      for (const rokso::SchemaChange& c : p.changes) rokso::out::line("      " + rokso::describe_change(c));
    }
  }
}

int verify(rokso::Session& session) {
  const bool as_json = session.json();
  rokso::MigrationTree& tree = session.tree();
  if (!tree.unknown_files().empty()) {
    throw rokso::failure(rokso::unknown_files_problem(tree.unknown_files(), session.plugins()));
  }
  const std::vector<rokso::TreeMigration> migrations = rokso::migrations_in_order(tree);
  std::size_t skip = 0;
  if (session.has("from")) {
    const std::string named = session.get<std::string>("from");
    const rokso::MigrationFile* from = tree.resolve(named);
    if (!from) throw rokso::usage_error("unknown migration '" + named + "' (no such file under migration/)");
    while (skip < migrations.size() && migrations[skip].file != from) ++skip;
  }
  const rokso::MigrationSettings settings = session.migration_settings();
  const std::optional<std::string> dev_url =
      session.has("dev-url") ? std::optional<std::string>(session.get<std::string>("dev-url")) : std::nullopt;
  // --target (given, not $ROKSO_TARGET's default): on that target's server, as a fleet
  // of targets runs it, to prove the tree on each server's version and extensions.
  if (dev_url && session.has("target")) throw rokso::usage_error("--dev-url and --target exclude each other");
  rokso::ThrowawayDatabase scratch(session.has("target") ? session.project().config.database
                                                         : rokso::throwaway_server(dev_url, session.project()),
                                   "verify");
  std::vector<rokso::VerifyResult> results;
  {
    rokso::ReplayDatabase db(scratch.settings(), session.project().config, settings);
    using Report = std::function<void(const rokso::VerifyResult&)>;
    results = rokso::verify_migrations(db, migrations, skip, as_json ? Report() : Report(print_text));
  }
  scratch.drop();

  std::size_t failed = 0, passed = 0, not_verified = 0;
  for (const rokso::VerifyResult& r : results) {
    failed += r.result == "failed";
    passed += r.result == "passed";
    not_verified += r.result == "not_verified";
  }
  if (as_json) {
    json files = json::array();
    for (const rokso::VerifyResult& r : results) {
      json problems = json::array();
      for (const rokso::VerifyProblem& p : r.problems) {
        problems.push_back({{"problem", p.problem}, {"message", p.message}, {"differences", changes_json(p.changes)}});
      }
      files.push_back({{"identity", r.migration->file->identity}, {"result", r.result}, {"problems", problems}});
    }
    session.print_json({{"outcome", failed ? "failed" : "passed"},
                        {"verified", passed},
                        {"failed", failed},
                        {"not_verified", not_verified},
                        {"files", files}});
  } else if (migrations.empty()) {
    rokso::out::line("Nothing to verify: no migrations under migration/");
  } else if (!failed) {
    rokso::out::line("Verified " + std::to_string(passed) +
                     " migration(s): each applies, rolls back to the schema before it, and applies again");
  }
  if (failed) {
    rokso::out::error("verify failed: " + std::to_string(failed) + " migration(s) do not roll back cleanly" +
                      (not_verified ? " (" + std::to_string(not_verified) + " after them not verified)" : ""));
    return rokso::kExitFailed;
  }
  return rokso::kExitOk;
}

}  // namespace

int main(int argc, char** argv) {
  rokso::CommandDefinition command;
  command.name = "verify";
  command.synopsis = "[--from <identity>] [--dev-url <url> | --target <name> | --targets <glob>] [--format text|json]";
  command.options.add_options()
      ("from", rokso::po::value<std::string>()->value_name("<identity>"),
       "verify from this migration on (the earlier ones are only applied)")
      ("dev-url", rokso::po::value<std::string>()->value_name("<url>"),
       "make the throwaway database on this server instead of the project's dev server")
      ("lock-timeout", rokso::po::value<std::string>()->value_name("<duration>"),
       "PostgreSQL lock_timeout for each statement (default: config.json's, else 5s)")
      ("statement-timeout", rokso::po::value<std::string>()->value_name("<duration>"),
       "PostgreSQL statement_timeout for each statement (default: the server's)");
  command.run = verify;
  return rokso::run_command(argc, argv, command);
}
