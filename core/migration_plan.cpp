#include "core/migration_plan.hpp"

#include "core/dependency_order.hpp"
#include "core/error.hpp"
#include "core/output.hpp"
#include "core/revision_id.hpp"
#include "core/transaction_control.hpp"

#include <algorithm>

namespace rokso {
namespace {

using State = History::State;

// --migration runs one file alone: what it requires must be applied already.
void check_requirements_applied(const MigrationTree& tree, const History& history, const PlannedMigration& p) {
  const std::string& identity = p.file->identity;
  for (const std::string& required : p.migration.requires_identities) {
    if (required == identity) throw failure("'" + identity + "' requires itself");
    if (history.state_of(required) == State::complete) continue;
    if (!tree.find(required)) {
      throw failure("'" + identity + "' requires '" + required + "', which is not under migration/ and not applied");
    }
    if (p.retry) {
      throw failure("the failed migration '" + identity + "' requires '" + required +
                    "', which is not applied; clear its failed row with 'rokso mark --pending " + identity +
                    "', then run 'rokso migrate'");
    }
    throw failure("'" + identity + "' requires '" + required +
                  "', which is not applied yet; run 'rokso migrate --to " + identity +
                  "' to apply it together with what it requires");
  }
}

// Reads every planned file. One unreadable file names them all, so a run is not fixed
// one file at a time; nothing has been applied yet.
void read_all(const MigrationTree& tree, std::vector<PlannedMigration>& planned) {
  std::vector<std::string> errors;
  for (PlannedMigration& p : planned) {
    try {
      p.migration = tree.read(*p.file);
      // Before anything runs: a COMMIT in the third file must not leave two applied.
      refuse_transaction_control(p.file->identity, p.migration);
    } catch (const Error& e) {
      errors.push_back(one_line(e.what()));
    }
  }
  if (errors.empty()) return;
  if (errors.size() == 1) throw failure(errors.front());
  for (const std::string& error : errors) out::error(error);
  throw failure(std::to_string(errors.size()) +
                " migration files cannot be read or run as written (above); nothing was applied");
}

}  // namespace

std::vector<PlannedMigration> plan_pending(const MigrationTree& tree, const History& history,
                                           const PendingSelector& selector) {
  const std::vector<VersionRow>& failed = history.failed();
  auto file_of = [&tree](const std::string& identity) {
    const MigrationFile* file = tree.find(identity);
    if (!file) {
      throw failure("the failed migration '" + identity +
                    "' is no longer under migration/; restore it so it can be retried");
    }
    return file;
  };

  std::vector<PlannedMigration> planned;
  if (selector.only) {
    if (selector.up_to) throw usage_error("--migration and --to exclude each other");
    const std::string& named = *selector.only;
    const MigrationFile* file = tree.resolve(named);
    const std::string identity = file ? file->identity : named;
    if (!failed.empty() && failed.front().filename != identity) {
      throw usage_error("'" + failed.front().filename +
                        "' failed earlier and must be fixed first; run 'rokso migrate --migration " +
                        failed.front().filename + "'");
    }
    if (!file) throw usage_error("unknown migration '" + named + "' (no such file under migration/)");
    const State state = history.state_of(identity);
    if (state == State::complete) return planned;
    Progress resume;
    for (const VersionRow& row : failed) {
      if (row.filename == identity) resume = {row.progress, row.progress_checksum};
    }
    planned.push_back({file, state == State::failed, resume, {}});
    planned.front().migration = tree.read(*file);
    refuse_transaction_control(identity, planned.front().migration);
    check_requirements_applied(tree, history, planned.front());
    return planned;
  }

  // --to: a file of the tree, by identity or path.
  const MigrationFile* target = nullptr;
  if (selector.up_to) {
    const std::string& named = *selector.up_to;
    target = tree.resolve(named);
    if (!target) throw usage_error("unknown migration '" + named + "' (no such file under migration/)");
    const State state = history.state_of(target->identity);
    if (state == State::complete) return planned;
    if (!failed.empty() && state != State::failed) {
      throw usage_error("'" + failed.front().filename +
                        "' failed earlier and must be retried first; run 'rokso migrate' (it retries only "
                        "the failed migrations)");
    }
  }

  if (!failed.empty()) {
    for (const VersionRow& row : failed) {
      planned.push_back({file_of(row.filename), true, {row.progress, row.progress_checksum}, {}});
    }
  } else {
    for (const MigrationFile& file : tree.files()) {
      if (history.state_of(file.identity) == State::absent) planned.push_back({&file, false, {}, {}});
    }
  }
  read_all(tree, planned);
  if (!failed.empty()) {
    // A failed file's requirements were applied before it ran, unless its fix added one.
    for (const PlannedMigration& p : planned) {
      for (const std::string& required : p.migration.requires_identities) {
        if (history.state_of(required) == State::absent && tree.find(required)) {
          check_requirements_applied(tree, history, p);
        }
      }
    }
  }

  std::vector<DependencyNode> nodes;
  nodes.reserve(planned.size());
  for (const PlannedMigration& p : planned) nodes.push_back({p.file->identity, &p.migration.requires_identities});
  const std::vector<std::size_t> order = dependency_order(
      nodes, [&history](std::string_view identity) { return history.state_of(identity) == State::complete; });
  std::vector<PlannedMigration> ordered;
  ordered.reserve(planned.size());
  for (std::size_t i : order) {
    ordered.push_back(std::move(planned[i]));
    if (ordered.back().file == target) break;
  }
  return ordered;
}

PendingList list_pending(const MigrationTree& tree, const History& history) {
  PendingList pending;
  for (const auto& file : tree.files()) {
    if (history.state_of(file) != State::absent) continue;
    PendingFile p{file.identity, {}, {}, {}};
    try {
      Migration migration = tree.read(file);
      p.notes = std::move(migration.notes);
      p.requires_identities = std::move(migration.requires_identities);
    } catch (const Error& e) {
      p.error = e.what();
      pending.malformed = true;
    }
    pending.files.push_back(std::move(p));
  }
  // In the order migrate applies them: requires adjust the tree's order (failed files are
  // retried before any pending one, so requiring one is settled). An unknown requirement
  // or a cycle is what migrate would stop on: left in the tree's order.
  try {
    std::vector<DependencyNode> nodes;
    nodes.reserve(pending.files.size());
    for (const PendingFile& p : pending.files) nodes.push_back({p.identity, &p.requires_identities});
    const std::vector<std::size_t> order = dependency_order(
        nodes, [&history](std::string_view identity) { return history.state_of(identity) != State::absent; });
    std::vector<PendingFile> ordered;
    ordered.reserve(pending.files.size());
    for (std::size_t i : order) ordered.push_back(std::move(pending.files[i]));
    pending.files = std::move(ordered);
  } catch (const Error& e) {
    pending.order_error = e.what();
    pending.malformed = true;
  }
  return pending;
}

std::vector<const VersionRow*> plan_rollback(const std::vector<VersionRow>& rows, const RollbackSelector& selector) {
  std::vector<const VersionRow*> complete;
  for (const auto& row : rows) {
    if (row.status == kStatusComplete) complete.push_back(&row);
  }
  std::vector<const VersionRow*> chosen;
  if (selector.after_revision) {
    const std::string& revision = *selector.after_revision;
    long long last_id_of_revision = -1;
    for (const auto& row : rows) {
      if (row.version == revision) last_id_of_revision = std::max(last_id_of_revision, row.id);
    }
    if (!is_revision_id(revision) || last_id_of_revision < 0) {
      throw usage_error("unknown revision '" + revision + "' (see 'rokso status')");
    }
    // After the revision means after its last row by id, not by time.
    for (const auto& row : rows) {
      if (row.id > last_id_of_revision) chosen.push_back(&row);
    }
  } else if (selector.steps) {
    const std::size_t steps = *selector.steps;
    if (steps > complete.size()) {
      throw usage_error("--steps " + std::to_string(steps) + ": only " + std::to_string(complete.size()) +
                        " applied migration(s) to roll back");
    }
    chosen.assign(complete.end() - static_cast<std::ptrdiff_t>(steps), complete.end());
  } else if (selector.executed_after) {
    if (complete.empty()) return chosen;
    const std::set<long long> ids = selector.executed_after();
    for (const VersionRow* row : complete) {
      if (ids.count(row->id)) chosen.push_back(row);
    }
  } else if (!rows.empty()) {
    const std::string latest = rows.back().version;  // rows are ordered by id
    for (const auto& row : rows) {
      if (row.version == latest) chosen.push_back(&row);
    }
  }
  std::reverse(chosen.begin(), chosen.end());
  return chosen;
}

}  // namespace rokso
