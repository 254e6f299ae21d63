#include "core/table_trust.hpp"

#include "core/error.hpp"

namespace rokso {

void check_own_table(pqxx::transaction_base& tx, const std::string& sql_name, const std::string& display_name) {
  // pg_has_role() counts a superuser as a member of every role, which would let any
  // table pass for an admin: membership is followed through pg_auth_members instead.
  // Before PostgreSQL 16 a role may grant itself to anyone: such a grant (grantor =
  // the role) does not make its tables ours.
  const pqxx::result r = tx.exec_params(
      "WITH RECURSIVE mine(oid) AS ("
      "  SELECT oid FROM pg_catalog.pg_roles WHERE rolname = current_user"
      "  UNION SELECT m.roleid FROM pg_catalog.pg_auth_members m JOIN mine ON m.member = mine.oid"
      "  WHERE m.grantor <> m.roleid)"
      " SELECT c.relkind::text, pg_catalog.pg_get_userbyid(c.relowner), c.relowner IN (SELECT oid FROM mine),"
      " current_user::text,"
      " (SELECT string_agg(t.tgname, ', ' ORDER BY t.tgname) FROM pg_catalog.pg_trigger t"
      "   WHERE t.tgrelid = c.oid AND NOT t.tgisinternal),"
      " (SELECT string_agg(w.rulename, ', ' ORDER BY w.rulename) FROM pg_catalog.pg_rewrite w"
      "   WHERE w.ev_class = c.oid AND w.rulename <> '_RETURN')"
      " FROM pg_catalog.pg_class c WHERE c.oid = pg_catalog.to_regclass($1)",
      sql_name);
  if (r.empty()) return;
  const pqxx::row row = r[0];
  const std::string refusing = "refusing to use " + display_name + ": ";
  if (row[0].as<std::string>() != "r") {
    throw failure(refusing + "it is not a plain table (rokso creates its own; drop or rename this one)");
  }
  if (!row[2].as<bool>()) {
    throw failure(refusing + "it is owned by role '" + row[1].as<std::string>() + "', not by '" +
                  row[3].as<std::string>() +
                  "' or a role it is a member of, and a table someone else prepared runs their code as you; "
                  "drop it, or check it and ALTER TABLE ... OWNER TO " + row[3].as<std::string>());
  }
  if (!row[4].is_null()) {
    throw failure(refusing + "it has triggers (" + row[4].as<std::string>() +
                  "), which would run with your rights on every change rokso makes; drop them");
  }
  if (!row[5].is_null()) {
    throw failure(refusing + "it has rules (" + row[5].as<std::string>() +
                  "), which would rewrite what rokso writes; drop them");
  }
}

void make_owner_only(pqxx::transaction_base& tx, const std::string& sql_name) {
  const pqxx::result grants = tx.exec_params(
      "SELECT DISTINCT c.relkind = 'S', c.oid::regclass::text,"
      " CASE WHEN a.grantee = 0 THEN 'PUBLIC' ELSE pg_catalog.quote_ident(pg_catalog.pg_get_userbyid(a.grantee)) END"
      " FROM pg_catalog.pg_class c CROSS JOIN LATERAL pg_catalog.aclexplode(c.relacl) a"
      " WHERE a.grantee <> c.relowner AND (c.oid = pg_catalog.to_regclass($1) OR c.oid IN ("
      "   SELECT d.objid FROM pg_catalog.pg_depend d WHERE d.classid = 'pg_catalog.pg_class'::regclass"
      "   AND d.refobjid = pg_catalog.to_regclass($1) AND d.deptype IN ('a', 'i')))",
      sql_name);
  // Names as the server quoted them (regclass output, quote_ident).
  for (const auto& grant : grants) {
    tx.exec(std::string("REVOKE ALL ON ") + (grant[0].as<bool>() ? "SEQUENCE " : "TABLE ") +
            grant[1].as<std::string>() + " FROM " + grant[2].as<std::string>());
  }
}

}  // namespace rokso
