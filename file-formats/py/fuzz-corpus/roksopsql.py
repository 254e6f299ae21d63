apply_sql = """
CREATE TABLE IF NOT EXISTS offline.user_master (
    id serial PRIMARY KEY
);
"""

rollback_sql = """
DROP TABLE offline.user_master;
"""

migrations = {
    "apply": apply_sql,
    "rollback": rollback_sql
}
