"""Seeds the folding paths: operators, formatting, f-strings, methods."""
import os
schema: str = 'offline'
n = 3
cols = ['id int', 'name text']
value = '%-5s|%05.1f|%#x' % ('ab', 2.5, 255)
value += '{0!r:>6}{k:^5}{{}}'.format('q', k='m') + f"{schema!r}{n:03d}{n=}{'é':>3}"
value = ', '.join(cols).upper().replace('ID', 'id').strip() + '-' * n + str(len(cols))
print(f'{__file__}', value.lower())
migrations = dict(apply=f"CREATE TABLE {schema}.t ({value});", rollback=None, ticket=1)
