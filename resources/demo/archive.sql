-- The demo's extra database: invoices moved out of the shop's main file.
CREATE TABLE invoice (
    id          INTEGER PRIMARY KEY,
    year        INTEGER NOT NULL,
    customer    TEXT NOT NULL,
    amount      NUMERIC NOT NULL,
    paid        INTEGER NOT NULL,
    pdf         BLOB
);
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 2000)
INSERT INTO invoice (id, year, customer, amount, paid, pdf)
SELECT i, 2015 + i % 8, 'customer ' || (1 + i * 7 % 1000), round((i * 4391 % 100000) / 100.0, 2),
       i % 5 <> 0, CASE WHEN i % 10 = 0 THEN zeroblob(64) ELSE NULL END
FROM n;
