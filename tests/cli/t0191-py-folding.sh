#!/usr/bin/env bash
# .py files that compute their SQL from constants are folded, never run, and give what
# Python itself gives: each variant below is read by `rokso show` and by python3 (the
# oracle, used by this test only), then applied, and the database holds Python's value.
. "$ROKSO_SOURCE_DIR/tests/lib/cli.sh"

new_database
new_project
cd "$PROJECT"

# Each variant binds `value` (and may end with a part after '@@' that binds
# `migrations` itself); the file around it puts the value in a table of its own.
VARIANTS=$(cat <<'PY'
value = 'plain'
====
s = 'offline'
value = s + '.t'
====
value = 'a'
value += 'b'
value += "c" 'd'
====
value = '-' * 3 + 2 * 'ab' + 'x' * 0
====
value = ('implicit '  # a comment
         'concatenation '
         """triple""")
====
value = 'CREATE %s.%s' % ('a', 'b')
====
value = '%(x)s-%(y)05d' % {'x': 'k', 'y': 42}
====
value = 'only %s' % 'one'
====
value = '%5s|%-5s|%.2s|%%' % ('ab', 'cd', 'efg')
====
value = '%d %i %x %X %o %#x %+d % d %05d %.3d' % (1, -2, 255, 255, 8, 16, 3, 4, -5, 6)
====
value = '%f %.2f %e %g %10.3f %G' % (1.5, 2.345, 12345.6789, 0.00001234, 3.14159, 1e20)
====
value = '%r %a %s %r' % ('it"s', 'é', None, "it's")
====
value = '{} {}'.format('a', 'b')
====
value = '{1}{0}{1}'.format('x', 'y')
====
value = '{schema}.{table}'.format(schema='s', table='t')
====
value = '{{literal}} {0!r} {0!s:>6} {1:08.3f} {2:,} {2:_x} {3:^9}|{3:*<7}|{4:05}'.format('q', 3.14159, 1234567, 'mid', 'ab')
====
schema = 'offline'
n = 7
value = f'{schema}.t{n:03d}'
====
value = f"{'a'!r} {'b'!s:>3} {1+2=} {'x' * 2} {'q'=}"
====
name = "users"
value = f'''CREATE TABLE {name} (
    id int
);'''
====
value = rf'\d{{2}}{1}' + f'{{}}'
====
cols = ['id int', 'name text']
value = ', '.join(cols)
====
value = '\n'.join(('a', 'b', 'c')) + '-'.join('xyz')
====
value = '  padded \n'.strip() + '|' + 'xxhixx'.strip('x') + '|' + '  l'.lstrip() + '|' + 'r  '.rstrip()
====
value = 'MiXeD'.lower() + 'MiXeD'.upper() + 'hello wORLD'.title() + 'hELLO'.capitalize() + 'aB'.swapcase()
====
value = 'a.b.c'.replace('.', '_') + 'a.b.c'.replace('.', '', 1) + 'ab'.replace('', '-')
====
value = '{}'.format('x').upper().replace('X', 'yz')
====
value = str(42) + repr('q') + str(True) + str(None) + format(3, '04') + str()
====
value = '%s' % [1, 'a', (2,), {'k': None}, (), [], {}]
====
value = '%s %s %s %s %s' % (1.5e3, 0.1 + 0.2, 1e16, 1e-5, 2.5 * 2)
====
value = f'{0x1F} {0o17} {0b101} {1_000} {-3} {7 // 2} {-7 % 3}'
====
value = 'v_table'.removeprefix('v_') + '7'.zfill(3) + 'a'.center(6, '*') + 'b'.ljust(3, '.') + 'c'.rjust(2)
====
value = 'from dict()'
@@
migrations = dict(apply=apply_sql, rollback=rollback_sql, author='me')
====
value = 'extra keys'
@@
migrations = {"apply": apply_sql, "rollback": rollback_sql, "ticket": 1234, "tags": ["a"]}
====
"""A docstring."""
import os
from datetime import date
schema: str = 'offline'
print(f'migrating {schema} {__file__}', os.sep)
value = schema.upper()
print('done', str(1), value.lower())
====
value = '%s-'
value *= 2
value %= ('a', 'b')
====
value = f"{'é':>4}|{'abc':.2}|{12:+05d}|{255:#x}|{0.5:%}|{True:>3}|{1234.5:,.1f}"
====
value = ('%s'
         % 'paren') + ("{}"
                       .format('next'))
====
value = "it's" + 'say "hi"' + '\\' + '\t|' + '\x41\u00e9'
====
a = b = 'same'
value = a + b; value = value + '!'
====
value = '%c%c' % (65, 'b') + '%5.1f' % 2.25 + '%-10.2e|' % 1234.5 + '%s' % (('t', 1),)
====
value = ' '.join(['a', "b"]) + '{0}{0}'.format(1) + f'{len("abc")}' + ascii('é')
PY
)

dir=migration/offline/200.tables/folded
mkdir -p "$dir"
count=0
while IFS= read -r -d $'\x1e' variant; do
  count=$((count + 1))
  n=$(printf '%02d' "$count")
  pre=${variant%%@@*}
  post=""
  [ "$pre" != "$variant" ] && post=${variant#*@@}
  [ -n "$post" ] || post='migrations = {"apply": apply_sql, "rollback": rollback_sql}'
  {
    printf '%s\n' "$pre"
    printf 'apply_sql = "CREATE TABLE offline.v%s (s text); INSERT INTO offline.v%s VALUES ($q$" + value + "$q$);"\n' "$n" "$n"
    printf 'rollback_sql = f"DROP TABLE offline.v%s;"\n' "$n"
    printf '%s\n' "$post"
  } >"$dir/2021_01_01__00_00_${n}_v.py"
done < <(printf '%s\n====\n' "$VARIANTS" | awk 'BEGIN{RS="\n====\n"; ORS="\x1e"} {print}')
expect_eq "$count" 41 "variants written"

# python3 reads each module as roksopsql did (an import), all in one interpreter, one
# JSON line per file: [apply, rollback]; rokso reads them without running them.
oracle_all() {
  python3 -I -c 'import contextlib, json, runpy, sys
for path in sys.argv[1:]:
    with contextlib.redirect_stdout(sys.stderr):
        m = runpy.run_path(path, run_name="m")["migrations"]
    print(json.dumps([m["apply"], m["rollback"]]))' "$@" 2>/dev/null
}
files=("$dir"/*.py)
mapfile -t PYTHON_VALUES < <(oracle_all "${files[@]}")
expect_eq "${#PYTHON_VALUES[@]}" 41 "python3 evaluated every variant"
# Each file shown by rokso; the 41 comparisons in one query (jsonb equality, so Python's
# escapes and rokso's compare by value).
comparisons=""
i=0
for file in "${files[@]}"; do
  id=${file#migration/}
  run rokso show "$id" --format json
  expect_code 0 "show $id"
  comparisons+="SELECT ${i} AS i, '$(printf '%s' "$id" | sed "s/'/''/g")' AS id, '$(printf '%s' "$OUT" | sed "s/'/''/g")'::jsonb AS doc, '$(printf '%s' "${PYTHON_VALUES[$i]:-null}" | sed "s/'/''/g")'::jsonb AS python UNION ALL "
  i=$((i + 1))
done
differing=$(sql "SELECT coalesce(string_agg(id, ', ' ORDER BY i), '') FROM (${comparisons% UNION ALL }) AS c
                  WHERE jsonb_build_array(doc -> 'apply_sql', doc -> 'rollback_sql') IS DISTINCT FROM python")
expect_eq "$differing" "" "files rokso folds otherwise than python3 evaluates them"

# Skipped statements and ignored keys are said.
run rokso show offline/200.tables/folded/2021_01_01__00_00_34_v.py
expect_out "note:         skipped, as they cannot change the values: a docstring (line 1), import os (line 2), from datetime import date (line 3), the annotation of 'schema' (line 4), print(...) (line 5), print(...) (line 7)"
run rokso show offline/200.tables/folded/2021_01_01__00_00_33_v.py
expect_out "note:         ignored keys \"ticket\", \"tags\" of 'migrations'"

run rokso migrate
expect_code 0 "migrate the folded files"
expect_eq "$(sql "SELECT count(*) FROM offline.rokso_db_version WHERE status = 'complete'")" 41 "41 rows"
# Each table holds the value between the $q$ quotes of Python's apply SQL: one query for all.
expected_rows=""
i=0
for file in "${files[@]}"; do
  n=$(basename "$file" _v.py); n=${n##*_}
  expected_rows+="SELECT '$n' AS n, (('$(printf '%s' "${PYTHON_VALUES[$i]:-null}" | sed "s/'/''/g")'::jsonb) ->> 0) AS apply UNION ALL "
  i=$((i + 1))
done
union=""
for file in "${files[@]}"; do
  n=$(basename "$file" _v.py); n=${n##*_}
  union+="SELECT '$n' AS n, s FROM offline.v$n UNION ALL "
done
wrong=$(sql "SELECT coalesce(string_agg('offline.v' || e.n, ', ' ORDER BY e.n), '')
               FROM (${expected_rows% UNION ALL }) AS e LEFT JOIN (${union% UNION ALL }) AS a USING (n)
              WHERE a.s IS DISTINCT FROM substr(e.apply, strpos(e.apply, '\$q\$') + 3,
                      length(e.apply) - strpos(reverse(e.apply), reverse('\$q\$')) - strpos(e.apply, '\$q\$') - 4))")
expect_eq "$wrong" "" "tables that do not hold python's value"

# What cannot be folded is refused before anything runs, naming file:line:col, the
# construct and the way out.
refused() {  # refused <file body> <expected error part>
  rm -f migration/offline/200.tables/zz/*.py
  mkdir -p migration/offline/200.tables/zz
  printf '%s\n' "$1" >migration/offline/200.tables/zz/2030_01_01__00_00_00_z.py
  run rokso migrate
  expect_code 1 "refused: $2"
  expect_err "$2"
  expect_err "--py-evaluate"
  expect_eq "$(sql "SELECT count(*) FROM pg_tables WHERE schemaname = 'offline' AND tablename = 'z'")" 0 "nothing ran: $2"
}
refused $'parts = []\nfor t in ("a",):\n    parts.append(t)\nmigrations = {"apply": "CREATE TABLE offline.z ();", "rollback": ""}' \
  "2030_01_01__00_00_00_z.py:2:1: 'for' statement not supported"
refused $'def sql():\n    return "CREATE TABLE offline.z ();"\nmigrations = {"apply": sql(), "rollback": ""}' \
  "2030_01_01__00_00_00_z.py:1:1: 'def' statement not supported"
refused $'import os\nmigrations = {"apply": "CREATE TABLE " + os.environ["S"] + ".z ();", "rollback": ""}' \
  "2030_01_01__00_00_00_z.py:2:42: name 'os' is bound by an import (line 1)"
refused $'migrations = {"apply": helper("z"), "rollback": ""}' \
  "2030_01_01__00_00_00_z.py:1:30: dynamic expression (call of 'helper')"
rm -f migration/offline/200.tables/zz/*.py
printf 'apply_sql = "CREATE TABLE offline.z ();"\nrollback_sql = ""\n' >migration/offline/200.tables/zz/2030_01_01__00_00_00_z.py
run rokso migrate
expect_code 1 "no migrations dict"
expect_err "no 'migrations' found"
expect_eq "$(sql "SELECT count(*) FROM pg_tables WHERE schemaname = 'offline' AND tablename = 'z'")" 0 "apply_sql alone is not a guess"

finish
