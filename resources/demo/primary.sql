-- Strata's demo database (SQLite): a small shop. Created on first run in the user's data
-- directory; a few thousand rows over a handful of related models and one view.
CREATE TABLE category (
    id          INTEGER PRIMARY KEY,
    name        TEXT NOT NULL UNIQUE,
    description TEXT
);
CREATE TABLE customer (
    id         INTEGER PRIMARY KEY,
    name       TEXT NOT NULL,
    email      TEXT,
    country    TEXT NOT NULL,
    created_at TEXT NOT NULL,
    notes      TEXT
);
CREATE TABLE product (
    id          INTEGER PRIMARY KEY,
    category_id INTEGER NOT NULL REFERENCES category (id),
    name        TEXT NOT NULL,
    price       NUMERIC NOT NULL,
    stock       INTEGER NOT NULL DEFAULT 0,
    thumbnail   BLOB
);
CREATE TABLE orders (
    id          INTEGER PRIMARY KEY,
    customer_id INTEGER NOT NULL REFERENCES customer (id),
    ordered_at  TEXT NOT NULL,
    status      TEXT NOT NULL
);
CREATE TABLE order_line (
    id         INTEGER PRIMARY KEY,
    order_id   INTEGER NOT NULL REFERENCES orders (id),
    product_id INTEGER NOT NULL REFERENCES product (id),
    quantity   INTEGER NOT NULL,
    unit_price NUMERIC NOT NULL
);
CREATE INDEX order_customer ON orders (customer_id);
CREATE INDEX line_order ON order_line (order_id);

INSERT INTO category (id, name, description) VALUES
    (1, 'Books', 'Paper and ink'), (2, 'Garden', NULL), (3, 'Kitchen', ''),
    (4, 'Music', 'Vinyl, tapes and discs'), (5, 'Outdoor', 'Tents, boots, maps'),
    (6, 'Toys', NULL), (7, 'Tools', 'Hand and power tools'), (8, 'Office', '');

WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 1000)
INSERT INTO customer (id, name, email, country, created_at, notes)
SELECT i,
       (CASE i % 10 WHEN 0 THEN 'Ada' WHEN 1 THEN 'Björn' WHEN 2 THEN 'Chen' WHEN 3 THEN 'Dana'
        WHEN 4 THEN 'Émile' WHEN 5 THEN 'Farah' WHEN 6 THEN 'Goro' WHEN 7 THEN 'Hana'
        WHEN 8 THEN 'Ivo' ELSE 'Jun' END) || ' ' ||
       (CASE (i / 10) % 8 WHEN 0 THEN 'Lovelace' WHEN 1 THEN 'Berg' WHEN 2 THEN 'Wei'
        WHEN 3 THEN 'Scully' WHEN 4 THEN 'Zola' WHEN 5 THEN 'Haddad' WHEN 6 THEN 'Sato'
        ELSE 'Novak' END),
       CASE WHEN i % 9 = 0 THEN NULL ELSE 'customer' || i || '@example.com' END,
       (CASE i % 6 WHEN 0 THEN 'FR' WHEN 1 THEN 'DE' WHEN 2 THEN 'JP' WHEN 3 THEN 'US'
        WHEN 4 THEN 'BR' ELSE 'NZ' END),
       datetime('2021-01-01', '+' || (i * 37 % 1095) || ' days', '+' || (i * 7 % 86400) || ' seconds'),
       CASE WHEN i % 4 = 0 THEN NULL WHEN i % 4 = 1 THEN ''
            WHEN i % 50 = 3 THEN 'A long note: ' || replace(hex(zeroblob(200)), '00', 'la ')
            ELSE 'Prefers ' || (CASE i % 3 WHEN 0 THEN 'email' WHEN 1 THEN 'phone' ELSE 'post' END) END
FROM n;

WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 200)
INSERT INTO product (id, category_id, name, price, stock, thumbnail)
SELECT i, 1 + i % 8,
       (CASE i % 5 WHEN 0 THEN 'Deluxe ' WHEN 1 THEN 'Compact ' WHEN 2 THEN 'Classic '
        WHEN 3 THEN 'Eco ' ELSE 'Pro ' END) ||
       (CASE i % 8 WHEN 0 THEN 'novel' WHEN 1 THEN 'rake' WHEN 2 THEN 'pan' WHEN 3 THEN 'record'
        WHEN 4 THEN 'tent' WHEN 5 THEN 'kite' WHEN 6 THEN 'drill' ELSE 'stapler' END) || ' ' || i,
       round(2.5 + (i * 7919 % 20000) / 100.0, 2), i * 13 % 120,
       CASE WHEN i % 3 = 0 THEN randomblob(48) ELSE NULL END
FROM n;

WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 3000)
INSERT INTO orders (id, customer_id, ordered_at, status)
SELECT i, 1 + (i * 7 % 1000),
       datetime('2023-01-01', '+' || (i * 11 % 730) || ' days', '+' || (i * 13 % 86400) || ' seconds'),
       CASE i % 7 WHEN 0 THEN 'cancelled' WHEN 1 THEN 'pending' WHEN 2 THEN 'shipped'
            ELSE 'delivered' END
FROM n;

WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 8000)
INSERT INTO order_line (id, order_id, product_id, quantity, unit_price)
SELECT i, 1 + (i * 3 % 3000), 1 + (i * 17 % 200), 1 + i % 4,
       (SELECT price FROM product WHERE id = 1 + (i * 17 % 200))
FROM n;

CREATE VIEW order_total AS
SELECT o.id AS order_id, c.name AS customer, o.ordered_at, o.status,
       sum(l.quantity * l.unit_price) AS total
FROM orders o
JOIN customer c ON c.id = o.customer_id
JOIN order_line l ON l.order_id = o.id
GROUP BY o.id;
