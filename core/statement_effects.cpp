#include "core/statement_effects.hpp"
#include "core/database_access.hpp"

#include "core/error.hpp"
#include "core/sql_script.hpp"
#include "core/transaction_control.hpp"
#include "core/transaction_mode.hpp"

#include <algorithm>
#include <chrono>
#include <map>
#include <set>
#include <utility>

namespace rokso {
namespace {

struct Relation {
  std::string name, kind;
  long long filenode = 0;
};
using Relations = std::map<long long, Relation>;  // by oid
using Locks = std::set<std::pair<long long, std::string>>;  // (oid, pg_locks mode)

const char* kind_name(const std::string& relkind) {
  switch (relkind.empty() ? ' ' : relkind[0]) {
    case 'r': return "table";
    case 'p': return "partitioned table";
    case 'i': return "index";
    case 'I': return "partitioned index";
    case 'S': return "sequence";
    case 'v': return "view";
    case 'm': return "materialized view";
    case 'f': return "foreign table";
    case 'c': return "type";
  }
  return "relation";
}

// The migration's own statements run in this transaction and may change search_path:
// rokso's queries name every function, type and operator with its schema.
//
// Objects made by users have oids from 16384 on (FirstNormalObjectId): the catalogs
// (which every statement reads) are left out. TOAST tables are left out too.
Relations relations(pqxx::transaction_base& tx) {
  Relations out;
  const pqxx::result rows = tx.exec(
      "SELECT c.oid::pg_catalog.int8, pg_catalog.quote_ident(n.nspname) OPERATOR(pg_catalog.||) '.' "
      "OPERATOR(pg_catalog.||) pg_catalog.quote_ident(c.relname), c.relkind::pg_catalog.text, "
      "c.relfilenode::pg_catalog.int8 "
      "FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid OPERATOR(pg_catalog.=) c.relnamespace "
      "WHERE c.oid::pg_catalog.int8 OPERATOR(pg_catalog.>=) 16384 AND c.relkind OPERATOR(pg_catalog.<>) 't'");
  for (const pqxx::row& r : rows) {
    out.emplace(r[0].as<long long>(), Relation{r[1].as<std::string>(), kind_name(r[2].as<std::string>()), r[3].as<long long>()});
  }
  return out;
}

Locks own_locks(pqxx::transaction_base& tx) {
  Locks out;
  const pqxx::result rows = tx.exec(
      "SELECT relation::pg_catalog.int8, mode FROM pg_catalog.pg_locks "
      "WHERE pid OPERATOR(pg_catalog.=) pg_catalog.pg_backend_pid() AND locktype OPERATOR(pg_catalog.=) 'relation' "
      "AND granted AND relation::pg_catalog.int8 OPERATOR(pg_catalog.>=) 16384");
  for (const pqxx::row& r : rows) out.emplace(r[0].as<long long>(), r[1].as<std::string>());
  return out;
}

// pg_locks' "AccessExclusiveLock" as LOCK TABLE spells it: "ACCESS EXCLUSIVE".
std::string lock_mode_name(const std::string& mode) {
  std::string name = mode;
  if (name.size() > 4 && name.compare(name.size() - 4, 4, "Lock") == 0) name.resize(name.size() - 4);
  std::string out;
  for (char c : name) {
    if (c >= 'A' && c <= 'Z' && !out.empty()) out += ' ';
    out += static_cast<char>(c >= 'a' && c <= 'z' ? c - 'a' + 'A' : c);
  }
  return out;
}

// Lock modes from the weakest to the strongest, as PostgreSQL numbers them.
int lock_strength(const std::string& mode) {
  static const char* const modes[] = {"ACCESS SHARE", "ROW SHARE", "ROW EXCLUSIVE", "SHARE UPDATE EXCLUSIVE",
                                      "SHARE", "SHARE ROW EXCLUSIVE", "EXCLUSIVE", "ACCESS EXCLUSIVE"};
  for (int i = 0; i < 8; ++i) {
    if (mode == modes[i]) return i;
  }
  return -1;
}

std::string shortened(const std::string& text) {
  std::string out;
  for (char c : text) {
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f') {
      if (!out.empty() && out.back() != ' ') out += ' ';
    } else {
      out += c;
    }
  }
  while (!out.empty() && out.back() == ' ') out.pop_back();
  if (out.size() > 80) out = out.substr(0, 77) + "...";
  return out;
}

// Why a statement is not run in the explaining transaction, or "".
std::string not_run_reason(const std::string& statement) {
  const std::vector<std::string> refusing = statements_refusing_transactions(statement);
  if (!refusing.empty()) {
    std::string what = refusing.front();
    what = what.substr(0, what.find(" (line "));
    return what + " cannot run inside a transaction block: rokso runs it on its own, so its locks are not observed here";
  }
  if (!scan_transaction_control(statement).statements.empty()) {
    return "transaction control: rokso runs the migration in its own transaction and refuses it";
  }
  return "";
}

}  // namespace

bool StatementEffects::takes_access_exclusive() const {
  return std::any_of(locks.begin(), locks.end(), [](const RelationLock& l) { return l.mode == "ACCESS EXCLUSIVE"; });
}

const char* outcome_name(StatementEffects::Outcome outcome) {
  switch (outcome) {
    case StatementEffects::Outcome::ran: return "ran";
    case StatementEffects::Outcome::failed: return "failed";
    case StatementEffects::Outcome::not_run: return "not_run";
    case StatementEffects::Outcome::not_reached: return "not_reached";
  }
  return "not_reached";
}

std::vector<StatementEffects> explain_statements(Database& db, const Migration& migration) {
  // An outer BEGIN/COMMIT around a transactional migration's body is left out, as migrate does.
  const std::string sql = migration.transactional ? sql_to_run_in_transaction(migration.apply_sql) : migration.apply_sql;
  std::vector<StatementEffects> effects;
  const std::vector<SqlStatement> statements = split_sql(sql);
  for (const SqlStatement& s : statements) {
    StatementEffects e;
    e.line = 1 + static_cast<long>(std::count(sql.begin(), sql.begin() + static_cast<std::ptrdiff_t>(s.offset), '\n'));
    e.statement = shortened(s.text);
    effects.push_back(std::move(e));
  }
  if (statements.empty()) return effects;

  try {
    pqxx::work tx(db.connection());
    db.begin_migration(tx);
    // "Before the migration": what the explanation reports locks and rewrites of.
    const Relations existing = relations(tx);
    Relations before = existing;
    Locks held = own_locks(tx);
    for (std::size_t i = 0; i < statements.size(); ++i) {
      StatementEffects& e = effects[i];
      e.note = not_run_reason(statements[i].text);
      if (!e.note.empty()) {
        e.outcome = StatementEffects::Outcome::not_run;
        continue;
      }
      // A savepoint keeps the transaction usable for reading what happened after an error.
      pqxx::subtransaction step(tx, "rokso_explain");
      const auto start = std::chrono::steady_clock::now();
      try {
        step.exec(statements[i].text);
      } catch (const pqxx::sql_error& error) {
        e.milliseconds = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
        e.outcome = StatementEffects::Outcome::failed;
        e.note = one_line(describe_sql_error(error));
        break;
      }
      e.milliseconds = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
      e.outcome = StatementEffects::Outcome::ran;
      step.commit();

      const Locks now_held = own_locks(tx);
      const Relations after = relations(tx);
      for (const auto& [oid, mode] : now_held) {
        if (held.count({oid, mode})) continue;
        const auto it = existing.find(oid);
        if (it == existing.end()) continue;
        e.locks.push_back({it->second.name, it->second.kind, lock_mode_name(mode)});
      }
      std::stable_sort(e.locks.begin(), e.locks.end(), [](const RelationLock& a, const RelationLock& b) {
        return lock_strength(a.mode) > lock_strength(b.mode);
      });
      for (const auto& [oid, relation] : after) {
        const auto was = before.find(oid);
        if (!existing.count(oid) || was == before.end()) continue;
        if (relation.filenode != 0 && relation.filenode != was->second.filenode) {
          e.rewrites.push_back({relation.name, relation.kind});
        }
      }
      held = now_held;
      before = after;
    }
    tx.abort();
  } catch (const pqxx::broken_connection& error) {
    throw failure(std::string("lost the connection to the throwaway database: ") + one_line(error.what()));
  } catch (const pqxx::sql_error& error) {
    throw failure("cannot explain on the throwaway database: " + one_line(describe_sql_error(error)));
  }
  return effects;
}

}  // namespace rokso
