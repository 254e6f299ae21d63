# -*- coding: utf-8 -*-
description = "index t.c"
requires = ["public/200.tables/t/a.py"]
transaction = False
apply_sql = (r'CREATE INDEX CONCURRENTLY i ON t (c);'  # comment
             "\n")
migrations = {"apply": apply_sql, "rollback": '''DROP INDEX i;'''}
