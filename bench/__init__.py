"""The benchmark behind `make bench`: order placement over HTTP against its plain-SQL floor.

Modules: `run` (the command and its orchestration), `load` (bulk data), `server` (gunicorn
under control), `driver` (load generator), `orders` (random order bodies), `plain_sql`
(the same transaction without the application), `catalog` (catalogue page timing),
`report` (tables and the results file), `cpu` (how busy the machine was), `phases` (a
phase that fails fails the run), `pages` and `prices` (phases with their own set-up),
`hotpath` (where one in-process worker spends its time).
"""
