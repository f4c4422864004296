-- One tenant of the demo (an attached database): the same models in every tenant, with the
-- tenant's own rows. {tenant} and {size} are replaced when the file is created.
CREATE TABLE project (
    id     INTEGER PRIMARY KEY,
    name   TEXT NOT NULL,
    budget NUMERIC
);
CREATE TABLE task (
    id         INTEGER PRIMARY KEY,
    project_id INTEGER NOT NULL REFERENCES project (id),
    title      TEXT NOT NULL,
    done       INTEGER NOT NULL DEFAULT 0
);
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < {size})
INSERT INTO project (id, name, budget)
SELECT i, '{tenant} project ' || i, CASE WHEN i % 4 = 0 THEN NULL ELSE i * 1250 END FROM n;
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < {size} * 12)
INSERT INTO task (id, project_id, title, done)
SELECT i, 1 + i % {size}, '{tenant} task ' || i, i % 3 = 0 FROM n;
