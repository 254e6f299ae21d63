// core/schema_ddl without a database: snapshot objects in, DDL lines out.
#include "core/schema_ddl.hpp"

#include <boost/test/unit_test.hpp>

namespace {

rokso::SchemaObject object(const std::string& kind, const std::string& name, const std::string& definition,
                           const std::string& parent = "", const std::string& local = "",
                           std::vector<std::string> parts = {}) {
  return rokso::SchemaObject{kind, name, definition, parent, local, std::move(parts)};
}

rokso::SchemaObject column(const std::string& table, const std::string& name, const std::string& type,
                           const std::string& default_expression = "", const std::string& not_null = "false",
                           const std::string& flags = "") {
  return object("column", table + "." + name,
                "ALTER TABLE " + table + " ADD COLUMN " + name + " " + type, table, name,
                {type, "", flags, default_expression, not_null});
}

rokso::SchemaChange added(rokso::SchemaObject o) { return {rokso::SchemaChange::Type::added, {}, std::move(o)}; }
rokso::SchemaChange removed(rokso::SchemaObject o) { return {rokso::SchemaChange::Type::removed, std::move(o), {}}; }
rokso::SchemaChange changed(rokso::SchemaObject from, rokso::SchemaObject to) {
  return {rokso::SchemaChange::Type::changed, std::move(from), std::move(to)};
}

}  // namespace

BOOST_AUTO_TEST_SUITE(schema_ddl)

BOOST_AUTO_TEST_CASE(create_ddl_ends_the_definition_with_one_semicolon) {
  BOOST_TEST(rokso::create_ddl(object("table", "public.t", "CREATE TABLE public.t (id integer)")) ==
             "CREATE TABLE public.t (id integer);");
  BOOST_TEST(rokso::create_ddl(object("function", "public.f", "CREATE FUNCTION public.f() ... $$;\n \n")) ==
             "CREATE FUNCTION public.f() ... $$;");
}

BOOST_AUTO_TEST_CASE(drop_ddl_names_each_kind_as_sql_drops_it) {
  BOOST_TEST(rokso::drop_ddl(object("table", "public.t", "CREATE TABLE public.t ()")) == "DROP TABLE public.t;");
  BOOST_TEST(rokso::drop_ddl(object("materialized view", "public.m", "CREATE MATERIALIZED VIEW ...")) ==
             "DROP MATERIALIZED VIEW public.m;");
  BOOST_TEST(rokso::drop_ddl(column("public.t", "c", "integer"), true) == "ALTER TABLE public.t DROP COLUMN IF EXISTS c;");
  BOOST_TEST(rokso::drop_ddl(object("constraint", "public.t.t_pkey", "ALTER TABLE ...", "public.t", "t_pkey")) ==
             "ALTER TABLE public.t DROP CONSTRAINT t_pkey;");
  BOOST_TEST(rokso::drop_ddl(object("trigger", "public.t.tr", "CREATE TRIGGER tr ...", "public.t", "tr"), true) ==
             "DROP TRIGGER IF EXISTS tr ON public.t;");
  BOOST_TEST(rokso::drop_ddl(object("type", "public.d", "CREATE DOMAIN public.d AS integer")) == "DROP DOMAIN public.d;");
  BOOST_TEST(rokso::drop_ddl(object("type", "public.mood", "CREATE TYPE public.mood AS ENUM ('a')")) ==
             "DROP TYPE public.mood;");
  BOOST_TEST(rokso::drop_ddl(object("schema", "\"My App\"", "CREATE SCHEMA \"My App\""), true) ==
             "DROP SCHEMA IF EXISTS \"My App\";");
}

BOOST_AUTO_TEST_CASE(drops_come_first_dependents_before_what_they_depend_on_then_creations_depended_on_first) {
  const std::vector<rokso::SchemaChange> changes = {
      added(object("view", "public.v", "CREATE VIEW public.v AS SELECT 1")),
      added(object("table", "public.n", "CREATE TABLE public.n (id integer)")),
      added(object("schema", "app", "CREATE SCHEMA app")),
      removed(object("schema", "old", "CREATE SCHEMA old")),
      removed(object("index", "public.i", "CREATE INDEX i ON public.t (x)", "public.t", "i")),
      removed(object("view", "public.w", "CREATE VIEW public.w AS SELECT 1")),
  };
  BOOST_TEST(rokso::ddl_script(changes) ==
             "DROP VIEW IF EXISTS public.w;\n"
             "DROP INDEX IF EXISTS public.i;\n"
             "DROP SCHEMA IF EXISTS old;\n"
             "CREATE SCHEMA app;\n"
             "CREATE TABLE public.n (id integer);\n"
             "CREATE VIEW public.v AS SELECT 1;\n");
}

BOOST_AUTO_TEST_CASE(what_a_dropped_table_takes_with_it_is_not_dropped_again) {
  const std::vector<rokso::SchemaChange> changes = {
      removed(object("table", "public.t", "CREATE TABLE public.t (x integer)")),
      removed(column("public.t", "x", "integer")),
      removed(object("index", "public.t_x", "CREATE INDEX t_x ON public.t (x)", "public.t", "t_x")),
      removed(object("trigger", "public.t.tr", "CREATE TRIGGER tr ...", "public.t", "tr")),
  };
  BOOST_TEST(rokso::ddl_script(changes) == "DROP TABLE IF EXISTS public.t;\n");
}

BOOST_AUTO_TEST_CASE(a_foreign_key_is_made_after_the_indexes_it_needs) {
  const std::vector<rokso::SchemaChange> changes = {
      added(object("constraint", "public.a.a_fk", "ALTER TABLE public.a ADD CONSTRAINT a_fk FOREIGN KEY (b) REFERENCES public.b(id)",
                   "public.a", "a_fk")),
      added(object("index", "public.b_u", "CREATE UNIQUE INDEX b_u ON public.b (id)", "public.b", "b_u")),
      added(object("constraint", "public.b.b_pkey", "ALTER TABLE public.b ADD CONSTRAINT b_pkey PRIMARY KEY (id)",
                   "public.b", "b_pkey")),
  };
  BOOST_TEST(rokso::ddl_script(changes) ==
             "ALTER TABLE public.b ADD CONSTRAINT b_pkey PRIMARY KEY (id);\n"
             "CREATE UNIQUE INDEX b_u ON public.b (id);\n"
             "ALTER TABLE public.a ADD CONSTRAINT a_fk FOREIGN KEY (b) REFERENCES public.b(id);\n");
}

BOOST_AUTO_TEST_CASE(a_changed_column_is_altered_in_place_keeping_its_data) {
  const std::vector<rokso::SchemaChange> changes = {
      changed(column("public.t", "c", "integer"), column("public.t", "c", "bigint", "0", "true")),
      added(object("index", "public.t_c", "CREATE INDEX t_c ON public.t (c)", "public.t", "t_c")),
      removed(object("index", "public.t_old", "CREATE INDEX t_old ON public.t (c)", "public.t", "t_old")),
  };
  BOOST_TEST(rokso::ddl_script(changes) ==
             "DROP INDEX IF EXISTS public.t_old;\n"
             "ALTER TABLE public.t ALTER COLUMN c TYPE bigint USING c::bigint;\n"
             "ALTER TABLE public.t ALTER COLUMN c SET DEFAULT 0;\n"
             "ALTER TABLE public.t ALTER COLUMN c SET NOT NULL;\n"
             "CREATE INDEX t_c ON public.t (c);\n");
  // Back: the default dropped, NOT NULL dropped, the type alone untouched.
  BOOST_TEST(rokso::ddl_script({changed(column("public.t", "c", "bigint", "0", "true"), column("public.t", "c", "bigint"))}) ==
             "ALTER TABLE public.t ALTER COLUMN c DROP DEFAULT;\n"
             "ALTER TABLE public.t ALTER COLUMN c DROP NOT NULL;\n");
}

BOOST_AUTO_TEST_CASE(a_column_whose_identity_or_generation_changed_is_dropped_and_added_again) {
  rokso::SchemaObject identity = column("public.t", "id", "integer", "", "true", "a");
  identity.definition = "ALTER TABLE public.t ADD COLUMN id integer GENERATED ALWAYS AS IDENTITY";
  BOOST_TEST(rokso::ddl_script({changed(column("public.t", "id", "integer", "", "true"), identity)}) ==
             "ALTER TABLE public.t DROP COLUMN IF EXISTS id;\n"
             "ALTER TABLE public.t ADD COLUMN id integer GENERATED ALWAYS AS IDENTITY;\n");
  // A stored generated column's expression is its default: never SET DEFAULT on it.
  rokso::SchemaObject from = column("public.t", "g", "integer", "(x * 2)", "false", "s");
  rokso::SchemaObject to = column("public.t", "g", "bigint", "(x * 3)", "false", "s");
  BOOST_TEST(rokso::ddl_script({changed(from, to)}) == "ALTER TABLE public.t ALTER COLUMN g TYPE bigint USING g::bigint;\n");
}

BOOST_AUTO_TEST_CASE(a_changed_view_is_dropped_and_made_again) {
  BOOST_TEST(rokso::ddl_script({changed(object("view", "public.v", "CREATE VIEW public.v AS SELECT 1"),
                                        object("view", "public.v", "CREATE VIEW public.v AS SELECT 2"))}) ==
             "DROP VIEW IF EXISTS public.v;\nCREATE VIEW public.v AS SELECT 2;\n");
  BOOST_TEST(rokso::ddl_script({}).empty());
}

BOOST_AUTO_TEST_SUITE_END()
