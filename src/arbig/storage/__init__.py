"""SQL storage: the schema, migrations, the book writer and the queries the core needs."""
