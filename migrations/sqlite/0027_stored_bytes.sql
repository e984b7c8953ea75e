-- The registry's stored blob bytes, kept live in the transaction that records or collects a
-- blob. Spread over 16 rows that writers pick at random, so parallel pushes do not queue on
-- one row; the total is their sum.
CREATE TABLE stored_bytes (
    shard INTEGER PRIMARY KEY,
    bytes INTEGER NOT NULL
);
INSERT INTO stored_bytes (shard, bytes) VALUES
    (0, 0), (1, 0), (2, 0), (3, 0), (4, 0), (5, 0), (6, 0), (7, 0),
    (8, 0), (9, 0), (10, 0), (11, 0), (12, 0), (13, 0), (14, 0), (15, 0);
UPDATE stored_bytes SET bytes = (SELECT COALESCE(SUM(size), 0) FROM blobs) WHERE shard = 0;
