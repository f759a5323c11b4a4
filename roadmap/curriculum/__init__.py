"""The curriculum as files: Markdown in (parse.py), into the database (load.py), and back out
as Markdown (export.py). The fixture ``fixtures/curriculum.json`` is the other way in
(``manage.py sync_curriculum``)."""
