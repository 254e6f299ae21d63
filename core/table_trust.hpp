// rokso's own tables (the version table, the lease-lock table) run rokso's statements
// with the connecting role's rights: a table someone else prepared under that name could
// run their code as that role (a trigger making them a superuser). So rokso uses only a
// table it owns, and makes new ones writable by their owner alone.
#pragma once

#include "core/database_access.hpp"

#include <string>

namespace rokso {

// Throws Error(kExitFailed) naming `display_name` and the reason when the table `sql_name`
// ("schema"."table", quoted) exists and is not rokso's to use: not a plain table, owned
// by a role that is neither the current user, nor a role it is a member of (a membership
// the role granted itself does not count), nor a superuser, or with triggers (other
// than a foreign key's) or rules. A missing table passes. One round trip inside `tx`.
void check_own_table(pqxx::transaction_base& tx, const std::string& sql_name, const std::string& display_name);

// Takes back every privilege on the table `sql_name` and its serial sequence that its
// owner holds alone no more (from PUBLIC, and grants the schema's default privileges
// made): for a table rokso has just created, inside the transaction that created it.
void make_owner_only(pqxx::transaction_base& tx, const std::string& sql_name);

}  // namespace rokso
